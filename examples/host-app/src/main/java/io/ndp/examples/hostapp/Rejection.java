package io.ndp.examples.hostapp;

/**
 * Why an ingest step refused a record, and how far the record got: when both patterns fail, the
 * rejects file gives the reason of the attempt that got furthest (a semicolon line with a bad
 * address is rejected for the address, not for its separators).
 */
final class Rejection extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** The ingest stages, in the order a record goes through them. */
  enum Stage {
    REPAIR,
    /** The record's shape: six fields, no padding (before any field is read). */
    SHAPE,
    /** A field's value: quantity, unit price. */
    PARSE,
    VALIDATE,
    PRICE,
    SIGN,
    STORE
  }

  private final Stage stage;

  Rejection(Stage stage, String message) {
    super(message);
    this.stage = stage;
  }

  Stage stage() {
    return stage;
  }
}
