package io.ndp.examples.hostapp;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One order as the ingest steps pass it along.
 *
 * @param line the line of the input it came from (the header is line 1)
 * @param orderId e.g. {@code O-000042}; upper case once validated
 * @param region one of the regions the report knows ({@link ReportSteps#REGIONS})
 * @param sku e.g. {@code SKU-0042}
 * @param quantity from 1 to {@link OrderSteps#MAX_QUANTITY}
 * @param unitPrice non-negative, at most {@link OrderSteps#MAX_PRICE_DIGITS} integer digits and 2
 *     decimals; scale 2 once validated
 * @param email the customer's address; lower case once validated
 * @param total quantity × unit price, or {@code null} before pricing
 * @param sha256 the record's signature, or {@code null} before signing
 */
record Order(
    int line,
    String orderId,
    String region,
    String sku,
    int quantity,
    BigDecimal unitPrice,
    String email,
    @Nullable BigDecimal total,
    @Nullable String sha256) {

  Order withTotal(BigDecimal t) {
    return new Order(line, orderId, region, sku, quantity, unitPrice, email, t, sha256);
  }

  Order withSha256(String s) {
    return new Order(line, orderId, region, sku, quantity, unitPrice, email, total, s);
  }

  /**
   * The canonical fields, in the output's column order: what is signed and written. Validation
   * normalises case and scale, so the same order always gives the same fields whichever pattern
   * ingested it.
   */
  List<String> canonicalFields() {
    List<String> f = new ArrayList<>(7);
    f.add(orderId);
    f.add(region);
    f.add(sku);
    f.add(Integer.toString(quantity));
    f.add(unitPrice.toPlainString());
    f.add(total == null ? "" : total.toPlainString());
    f.add(email);
    return f;
  }

  /** The canonical form that is signed: the canonical fields as one RFC 4180 CSV record. */
  String canonical() {
    return OrdersCsv.OUT.format(canonicalFields().toArray());
  }

  /**
   * A value quoted in a message: control characters escaped (ESC as {@code \\u001b}), so a message
   * stays one clean line on a terminal, and cut to at most 40 characters, escapes included (a field
   * may be megabytes long), never inside a surrogate pair or an escape.
   */
  static String shorten(String value) {
    return shorten(value, 40);
  }

  /** {@link #shorten(String)} to at most {@code max} characters. */
  static String shorten(String value, int max) {
    StringBuilder b = new StringBuilder(max + 8);
    for (int i = 0; i < value.length(); ) {
      int cp = value.codePointAt(i);
      String piece =
          cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)
              ? String.format(java.util.Locale.ROOT, "\\u%04x", cp)
              : new String(Character.toChars(cp));
      i += Character.charCount(cp);
      boolean more = i < value.length();
      if (b.length() + piece.length() > (more ? max - 3 : max)) {
        return b.append("...").toString();
      }
      b.append(piece);
    }
    return b.toString();
  }
}
