package io.ndp.examples.hostapp;

import java.math.BigDecimal;

/**
 * One order line as the ingest steps pass it along.
 *
 * @param orderId e.g. {@code O-000042}
 * @param region e.g. {@code eu}
 * @param sku e.g. {@code SKU-0042}
 * @param quantity positive
 * @param unitPrice non-negative, two decimals
 * @param email the customer's address
 * @param total quantity × unit price, or {@code null} before pricing
 * @param sha256 the record's signature, or {@code null} before signing
 */
public record Order(
    String orderId,
    String region,
    String sku,
    int quantity,
    BigDecimal unitPrice,
    String email,
    @org.jspecify.annotations.Nullable BigDecimal total,
    @org.jspecify.annotations.Nullable String sha256) {

  Order withTotal(BigDecimal t) {
    return new Order(orderId, region, sku, quantity, unitPrice, email, t, sha256);
  }

  Order withSha256(String s) {
    return new Order(orderId, region, sku, quantity, unitPrice, email, total, s);
  }

  /** The canonical form that is signed and written. */
  String canonical() {
    return String.join(
        ",",
        orderId,
        region,
        sku,
        Integer.toString(quantity),
        unitPrice.toPlainString(),
        total == null ? "" : total.toPlainString(),
        email);
  }
}
