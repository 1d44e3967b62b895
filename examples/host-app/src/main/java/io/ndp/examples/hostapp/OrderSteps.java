package io.ndp.examples.hostapp;

import io.ndp.api.DelegateDirectory;
import io.ndp.examples.hostapp.OrdersCsv.InputRecord;
import io.ndp.examples.hostapp.Rejection.Stage;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * The real work of order ingest, registered as NDP delegates: parsing (strict) and repairing
 * (tolerant), validation, pricing, SHA-256 signing and writing to the output file. Each refusal is
 * a {@link Rejection} naming its stage and the offending value.
 *
 * <p>Amounts are bounded before any arithmetic: a quantity is a whole number from 1 to {@value
 * #MAX_QUANTITY}, a unit price has at most {@value #MAX_PRICE_DIGITS} integer digits and 2
 * decimals, so no input can make a total large or slow to compute.
 *
 * <p>Thread-safe: {@link #store} is synchronized; every other step is a pure function.
 */
final class OrderSteps {
  /** The largest quantity of one order line. */
  static final int MAX_QUANTITY = 1_000_000;

  /** The most integer digits of a unit price (below ten million). */
  static final int MAX_PRICE_DIGITS = 7;

  private static final Pattern ORDER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,31}");
  private static final Pattern SKU = Pattern.compile("SKU-\\d{4}");
  private static final Pattern LOCAL_PART = Pattern.compile("[A-Za-z0-9._%+-]{1,64}");
  private static final Pattern LABEL =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
  private static final Pattern TOP_LABEL = Pattern.compile("[A-Za-z]{2,63}");

  private final CSVPrinter out;
  private final Map<String, Integer> firstLineOf = new HashMap<>();
  private long written;

  /**
   * @param out the processed file, its header already written
   */
  OrderSteps(CSVPrinter out) {
    this.out = out;
  }

  void registerIn(DelegateDirectory delegates) {
    delegates.register("parse", in -> parse((InputRecord) in));
    delegates.register("repair", in -> repair((InputRecord) in));
    delegates.register("validate", in -> validate((Order) in));
    delegates.register("price", in -> price((Order) in));
    delegates.register("sign", in -> sign((Order) in));
    delegates.register("store", in -> store((Order) in));
  }

  /** A record longer than the reader's limit was not read whole: neither pattern may accept it. */
  private static void requireWhole(InputRecord record) {
    if (record.tooLong()) {
      throw new Rejection(
          Stage.SHAPE,
          String.format(
              Locale.ROOT,
              "the line is longer than %,d characters: not read whole",
              OrdersCsv.RECORD_LIMIT));
    }
  }

  /** Strict: exactly six fields, no padding, a whole quantity and a dot-decimal unit price. */
  static Order parse(InputRecord record) {
    requireWhole(record);
    List<String> f = record.fields();
    if (f.size() != 6) {
      throw new Rejection(
          Stage.SHAPE,
          String.format(Locale.ROOT, "expected 6 comma-separated fields but found %d", f.size()));
    }
    for (String field : f) {
      if (!field.equals(field.strip())) {
        throw new Rejection(
            Stage.SHAPE, "field '" + Order.shorten(field) + "' has surrounding spaces");
      }
    }
    return new Order(
        record.line(),
        f.get(0),
        f.get(1),
        f.get(2),
        quantity(f.get(3)),
        unitPrice(f.get(4)),
        f.get(5),
        null,
        null);
  }

  private static int quantity(String s) {
    if (s.isEmpty() || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new Rejection(Stage.PARSE, "quantity '" + Order.shorten(s) + "' is not a whole number");
    }
    String digits = s.replaceFirst("^0+(?=.)", "");
    if (digits.length() > 7
        || Integer.parseInt(digits) < 1
        || Integer.parseInt(digits) > MAX_QUANTITY) {
      throw new Rejection(
          Stage.PARSE,
          String.format(
              Locale.ROOT,
              "quantity '%s' is not between 1 and %d",
              Order.shorten(s),
              MAX_QUANTITY));
    }
    return Integer.parseInt(digits);
  }

  /**
   * Checked as text first, in one pass: {@code 1E+100000000} never reaches {@link BigDecimal}.
   * Integer digits are counted without leading zeros ({@code 007.50} is 7.50), however many.
   */
  private static BigDecimal unitPrice(String s) {
    int dot = s.indexOf('.');
    String whole = dot < 0 ? s : s.substring(0, dot);
    String decimals = dot < 0 ? "" : s.substring(dot + 1);
    if (whole.isEmpty()
        || (dot >= 0 && decimals.isEmpty())
        || !allDigits(whole)
        || !allDigits(decimals)) {
      throw new Rejection(
          Stage.PARSE, "unit price '" + Order.shorten(s) + "' is not a decimal like 12.34");
    }
    int zeros = 0;
    while (zeros < whole.length() - 1 && whole.charAt(zeros) == '0') {
      zeros++;
    }
    whole = whole.substring(zeros);
    if (whole.length() > MAX_PRICE_DIGITS) {
      throw new Rejection(
          Stage.PARSE,
          "unit price '"
              + Order.shorten(s)
              + "' has more than "
              + MAX_PRICE_DIGITS
              + " integer digits");
    }
    if (decimals.length() > 2) {
      throw new Rejection(
          Stage.PARSE, "unit price '" + Order.shorten(s) + "' has more than 2 decimals");
    }
    return new BigDecimal(decimals.isEmpty() ? whole : whole + "." + decimals)
        .setScale(2, RoundingMode.UNNECESSARY);
  }

  /** ASCII digits only: digits of other scripts are refused. */
  private static boolean allDigits(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * Tolerant pre-pass for legacy exports: semicolon separators, decimal commas, padding, case.
   * Returns a record the strict parser accepts (or one it still rejects, with a precise reason).
   */
  static InputRecord repair(InputRecord record) {
    requireWhole(record);
    List<String> f = record.fields();
    if (f.size() != 6 && record.text().indexOf(';') >= 0) {
      f = legacyFields(record.text());
    }
    List<String> fixed = new ArrayList<>(f.size());
    for (int i = 0; i < f.size(); i++) {
      String v = f.get(i).strip();
      fixed.add(
          switch (i) {
            case 1, 5 -> asciiLowerCase(v);
            case 0, 2 -> asciiUpperCase(v);
            case 4 -> v.replace(',', '.');
            default -> v;
          });
    }
    return record.withFields(fixed);
  }

  /** The record's text read as a semicolon-separated line. */
  static List<String> legacyFields(String text) {
    try (CSVParser p = OrdersCsv.LEGACY.parse(new StringReader(text))) {
      List<CSVRecord> records = p.getRecords();
      if (records.size() != 1) {
        throw new Rejection(
            Stage.REPAIR, "the line reads as " + records.size() + " semicolon-separated records");
      }
      return records.get(0).toList();
    } catch (IOException | UncheckedIOException e) {
      throw new Rejection(Stage.REPAIR, "the line is not valid semicolon-separated CSV");
    }
  }

  /**
   * Checks the values against what the report knows and normalises them: the order id upper case,
   * the address lower case (so the canonical form does not depend on the pattern that won).
   */
  static Order validate(Order o) {
    if (!ORDER_ID.matcher(o.orderId()).matches()) {
      throw new Rejection(
          Stage.VALIDATE,
          "order id '"
              + Order.shorten(o.orderId())
              + "' is not 1 to 32 letters, digits, '-' or '_'");
    }
    if (!ReportSteps.REGIONS.contains(o.region())) {
      throw new Rejection(
          Stage.VALIDATE,
          "region '"
              + Order.shorten(o.region())
              + "' is not one of "
              + String.join(", ", ReportSteps.REGIONS));
    }
    if (!SKU.matcher(o.sku()).matches()) {
      throw new Rejection(Stage.VALIDATE, "sku '" + Order.shorten(o.sku()) + "' is not SKU-nnnn");
    }
    if (!isAddress(o.email())) {
      throw new Rejection(
          Stage.VALIDATE, "email '" + Order.shorten(o.email()) + "' is not an address");
    }
    return new Order(
        o.line(),
        asciiUpperCase(o.orderId()),
        o.region(),
        o.sku(),
        o.quantity(),
        o.unitPrice().setScale(2, RoundingMode.UNNECESSARY),
        asciiLowerCase(o.email()),
        null,
        null);
  }

  /**
   * An address as the report keeps it: ASCII, at most 254 characters, a local part of at most 64, a
   * domain of dot-separated labels (letters, digits, inner hyphens; at most 63 each) ending in
   * letters. Checked label by label: no pattern repetition deep enough to overflow the stack.
   */
  static boolean isAddress(String s) {
    int at = s.indexOf('@');
    if (s.length() > 254 || at < 0 || at != s.lastIndexOf('@')) {
      return false;
    }
    if (!LOCAL_PART.matcher(s.substring(0, at)).matches()) {
      return false;
    }
    String[] labels = s.substring(at + 1).split("\\.", -1);
    if (labels.length < 2) {
      return false;
    }
    for (int i = 0; i < labels.length - 1; i++) {
      if (!LABEL.matcher(labels[i]).matches()) {
        return false;
      }
    }
    return TOP_LABEL.matcher(labels[labels.length - 1]).matches();
  }

  /**
   * Upper case for ASCII letters only: a Unicode mapping would turn characters validation refuses
   * into ones it accepts (dotless {@code ı} into {@code I}, long {@code ſ} into {@code S}).
   */
  static String asciiUpperCase(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c >= 'a' && c <= 'z' ? (char) (c - 'a' + 'A') : c);
    }
    return b.toString();
  }

  /** Lower case for ASCII letters only (the Kelvin sign stays what it is). */
  static String asciiLowerCase(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c >= 'A' && c <= 'Z' ? (char) (c - 'A' + 'a') : c);
    }
    return b.toString();
  }

  static Order price(Order o) {
    return o.withTotal(o.unitPrice().multiply(BigDecimal.valueOf(o.quantity())).setScale(2));
  }

  static Order sign(Order o) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return o.withSha256(
          HexFormat.of().formatHex(sha.digest(o.canonical().getBytes(StandardCharsets.UTF_8))));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** Writes the record, unless its order id was written before (then it names that line). */
  synchronized Order store(Order o) {
    Integer first = firstLineOf.get(o.orderId());
    if (first != null) {
      throw new Rejection(
          Stage.STORE,
          String.format(
              Locale.ROOT, "order id '%s' repeats the order of line %d", o.orderId(), first));
    }
    try {
      List<Object> row = new ArrayList<>(o.canonicalFields());
      row.add(o.sha256());
      out.printRecord(row);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    firstLineOf.put(o.orderId(), o.line());
    written++;
    return o;
  }

  synchronized long written() {
    return written;
  }
}
