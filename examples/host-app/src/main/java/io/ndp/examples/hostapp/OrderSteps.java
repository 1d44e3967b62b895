package io.ndp.examples.hostapp;

import io.ndp.api.DelegateDirectory;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The real work of order ingest, registered as NDP delegates: parsing (strict and tolerant),
 * validation, pricing, SHA-256 signing and writing to the output file.
 *
 * <p>Thread-safe: the writer is guarded; every other step is a pure function.
 */
final class OrderSteps {
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[a-z]{2,}");
  private static final Pattern SKU = Pattern.compile("SKU-\\d{4}");

  private final BufferedWriter out;
  private long written;

  OrderSteps(BufferedWriter out) {
    this.out = out;
  }

  void registerIn(DelegateDirectory delegates) {
    delegates.register("parse", in -> parse((String) in));
    delegates.register("repair", in -> repair((String) in));
    delegates.register("validate", in -> validate((Order) in));
    delegates.register("price", in -> price((Order) in));
    delegates.register("sign", in -> sign((Order) in));
    delegates.register("store", in -> store((Order) in));
  }

  /** Strict CSV: exactly six comma-separated fields, no padding, dot decimals. */
  static Order parse(String line) {
    String[] f = line.split(",", -1);
    if (f.length != 6) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "expected 6 comma-separated fields but found %d", f.length));
    }
    for (String field : f) {
      if (!field.equals(field.trim())) {
        throw new IllegalArgumentException("field '" + field + "' has surrounding spaces");
      }
    }
    int quantity;
    try {
      quantity = Integer.parseInt(f[3]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("quantity '" + f[3] + "' is not an integer");
    }
    BigDecimal price;
    try {
      price = new BigDecimal(f[4]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("unit price '" + f[4] + "' is not a decimal");
    }
    return new Order(f[0], f[1], f[2], quantity, price, f[5], null, null);
  }

  /**
   * Tolerant pre-pass for legacy exports: semicolon separators, decimal commas, padding, case.
   * Returns a line the strict parser accepts (or one it still rejects, with a precise reason).
   */
  static String repair(String line) {
    String sep = line.contains(";") ? ";" : ",";
    String[] f = line.split(Pattern.quote(sep), -1);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < f.length; i++) {
      String v = f[i].trim();
      if (i == 2) {
        v = v.toUpperCase(Locale.ROOT);
      } else if (i == 4) {
        v = v.replace(',', '.');
      } else if (i == 5) {
        v = v.toLowerCase(Locale.ROOT);
      }
      sb.append(i == 0 ? "" : ",").append(v);
    }
    return sb.toString();
  }

  static Order validate(Order o) {
    if (o.quantity() <= 0) {
      throw new IllegalArgumentException("quantity must be positive but was " + o.quantity());
    }
    if (o.unitPrice().signum() < 0) {
      throw new IllegalArgumentException("unit price must not be negative: " + o.unitPrice());
    }
    if (!SKU.matcher(o.sku()).matches()) {
      throw new IllegalArgumentException("sku '" + o.sku() + "' is not SKU-nnnn");
    }
    if (!EMAIL.matcher(o.email()).matches()) {
      throw new IllegalArgumentException("email '" + o.email() + "' is not an address");
    }
    return o;
  }

  static Order price(Order o) {
    return o.withTotal(
        o.unitPrice().multiply(BigDecimal.valueOf(o.quantity())).setScale(2, RoundingMode.HALF_UP));
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

  synchronized Order store(Order o) {
    try {
      out.write(o.canonical());
      out.write(',');
      out.write(String.valueOf(o.sha256()));
      out.newLine();
      written++;
      return o;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  synchronized long written() {
    return written;
  }
}
