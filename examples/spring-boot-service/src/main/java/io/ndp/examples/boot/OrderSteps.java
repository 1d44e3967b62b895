package io.ndp.examples.boot;

import io.ndp.spring.boot.NdpDelegate;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The delegates that do the real work, one {@code @NdpDelegate} method each; the patterns in {@code
 * application.yml} chain them. An order is a JSON object: {@code id}, {@code amount}, {@code
 * email}.
 */
@Component
public class OrderSteps {

  /** The largest amount accepted has this many digits before the decimal point. */
  static final int MAX_INTEGER_DIGITS = 12;

  /** The most decimals an amount may have. */
  static final int MAX_SCALE = 4;

  private final OrderBook book;

  /**
   * The steps over one order book.
   *
   * @param book where {@code store} writes
   */
  public OrderSteps(OrderBook book) {
    this.book = book;
  }

  /**
   * Checks an order: a non-blank id, a positive amount, an e-mail address with an {@code @}.
   *
   * @param input the order
   * @return the order as a map, amount as a decimal
   * @throws IllegalArgumentException naming the first field that is wrong
   */
  @NdpDelegate("validate")
  public Map<String, Object> validate(Object input) {
    if (!(input instanceof Map<?, ?> order)) {
      throw new IllegalArgumentException("an order must be a JSON object but was " + input);
    }
    Object id = order.get("id");
    if (!(id instanceof String s) || s.isBlank()) {
      throw new IllegalArgumentException("id must be a non-blank string but was " + id);
    }
    BigDecimal amount;
    try {
      amount = new BigDecimal(String.valueOf(order.get("amount")));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "amount must be a number but was " + order.get("amount"), e);
    }
    // Bounded before any arithmetic: 1e100000 is a valid number of 100,001 digits.
    if (amount.precision() - amount.scale() > MAX_INTEGER_DIGITS || amount.scale() > MAX_SCALE) {
      throw new IllegalArgumentException(
          "amount must have at most "
              + MAX_INTEGER_DIGITS
              + " digits before the point and "
              + MAX_SCALE
              + " after it but was "
              + amount.toString().substring(0, Math.min(40, amount.toString().length())));
    }
    if (amount.signum() <= 0) {
      throw new IllegalArgumentException("amount must be positive but was " + amount);
    }
    Object email = order.get("email");
    if (!(email instanceof String e) || e.indexOf('@') < 1) {
      throw new IllegalArgumentException("email must contain '@' but was " + email);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", s);
    out.put("amount", amount);
    out.put("email", e);
    return out;
  }

  /**
   * Normalises a validated order: e-mail in lower case, amount with two decimals.
   *
   * @param order the validated order
   * @return the normalised order
   */
  @NdpDelegate("normalize")
  public Map<String, Object> normalize(Map<String, Object> order) {
    Map<String, Object> out = new LinkedHashMap<>(order);
    out.put("email", ((String) order.get("email")).toLowerCase(Locale.ROOT));
    out.put(
        "amount", ((BigDecimal) order.get("amount")).setScale(2, java.math.RoundingMode.HALF_UP));
    return out;
  }

  /**
   * Stores the order in the book.
   *
   * @param order the order
   * @return its id
   * @throws IllegalStateException when an order with that id is stored already
   */
  @NdpDelegate("store")
  public String store(Map<String, Object> order) {
    String id = (String) order.get("id");
    book.put(id, order);
    return id;
  }
}
