package io.ndp.examples.hostapp;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.jspecify.annotations.Nullable;

/**
 * The orders file as RFC 4180 CSV (through Apache Commons CSV): quoted fields may hold commas,
 * quotes and line breaks. Reading checks the whole input before any work — UTF-8 text, the header,
 * balanced quotes, at least one order — and keeps each record's true line number in the file.
 */
final class OrdersCsv {

  /** The header the input must start with. */
  static final List<String> HEADER =
      List.of("order_id", "region", "sku", "quantity", "unit_price", "customer_email");

  /** How inputs are read: RFC 4180, blank lines skipped, an unclosed quote is an error. */
  static final CSVFormat IN =
      CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).setLenientEof(false).get();

  /** How outputs are written: RFC 4180 quoting where needed, {@code \n} line ends. */
  static final CSVFormat OUT = CSVFormat.RFC4180.builder().setRecordSeparator("\n").get();

  /** The legacy exports' format: semicolons, otherwise RFC 4180. */
  static final CSVFormat LEGACY = IN.builder().setDelimiter(';').get();

  private OrdersCsv() {}

  /**
   * One record of the input: its line number in the file (the header is line 1; for a record with a
   * quoted line break, the line it starts on), its fields as RFC 4180 reads them, and its text.
   */
  record InputRecord(int line, List<String> fields, String text) {
    InputRecord {
      fields = List.copyOf(fields);
    }

    /** The same record with other fields (what the repair step makes of it). */
    InputRecord withFields(List<String> repaired) {
      return new InputRecord(line, repaired, text);
    }
  }

  /**
   * Reads the input's records after the header. An input that is empty, has only the header, is not
   * UTF-8 text, does not start with the header or has an unclosed quote is an input error ({@link
   * Cli.InputError}: one line, exit code 2), found before any work.
   *
   * @param input the CSV, or {@code null} for the bundled one
   */
  static List<InputRecord> read(@Nullable Path input) throws IOException {
    String name = input == null ? "the bundled data" : input.toString();
    byte[] bytes;
    try (InputStream in =
        input == null
            ? OrdersCsv.class.getResourceAsStream("/data/orders.csv")
            : Files.newInputStream(input)) {
      bytes = in.readAllBytes();
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new Cli.InputError("input " + name + " is not UTF-8 text (a binary file?)");
    }
    if (text.indexOf('\u0000') >= 0) {
      throw new Cli.InputError("input " + name + " is not a text file (it holds NUL bytes)");
    }
    if (text.startsWith("\uFEFF")) {
      text = " " + text.substring(1); // keeps the character positions; the header is stripped
    }
    if (text.isBlank()) {
      throw new Cli.InputError(
          "input " + name + " is empty: expected the header " + String.join(",", HEADER));
    }
    int[] lineStarts = lineStarts(text);
    List<CSVRecord> raw = new ArrayList<>();
    try (CSVParser parser = IN.parse(new StringReader(text))) {
      parser.forEach(raw::add);
    } catch (IOException | UncheckedIOException e) {
      throw new Cli.InputError("input " + name + " is not valid CSV: " + csvProblem(e));
    }
    List<String> header =
        raw.isEmpty() ? List.of() : raw.get(0).stream().map(String::strip).toList();
    if (!header.equals(HEADER)) {
      String first = text.lines().filter(l -> !l.isBlank()).findFirst().orElse("").strip();
      throw new Cli.InputError(
          "input "
              + name
              + " does not start with the header "
              + String.join(",", HEADER)
              + " (line 1 is '"
              + Order.shorten(first)
              + "')");
    }
    List<InputRecord> records = new ArrayList<>(raw.size());
    for (int i = 1; i < raw.size(); i++) {
      CSVRecord r = raw.get(i);
      if (r.size() == 1 && r.get(0).isBlank()) {
        continue; // a line of spaces
      }
      int start = (int) r.getCharacterPosition();
      while (text.charAt(start) == '\n' || text.charAt(start) == '\r') {
        start++; // the empty lines the parser skipped before the record
      }
      int end = i + 1 < raw.size() ? (int) raw.get(i + 1).getCharacterPosition() : text.length();
      records.add(
          new InputRecord(
              lineOf(lineStarts, start), r.toList(), text.substring(start, end).strip()));
    }
    if (records.isEmpty()) {
      throw new Cli.InputError("input " + name + " has no order lines, only the header");
    }
    return records;
  }

  /** Commons CSV's reason, without the exception chain's class names. */
  private static String csvProblem(Exception e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = String.valueOf(t.getMessage());
    java.util.regex.Matcher start =
        java.util.regex.Pattern.compile("\\(startline (\\d+)\\)").matcher(m);
    if (m.toLowerCase(Locale.ROOT).contains("eof reached before encapsulated token finished")) {
      return start.find()
          ? "a quoted field opened on line " + start.group(1) + " is not closed"
          : "a quoted field is not closed";
    }
    return m;
  }

  /** The offsets at which lines start ({@code \n}, {@code \r\n} or {@code \r} end a line). */
  private static int[] lineStarts(String text) {
    int[] starts = new int[16];
    int n = 0;
    starts[n++] = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n' || (c == '\r' && (i + 1 == text.length() || text.charAt(i + 1) != '\n'))) {
        if (n == starts.length) {
          starts = Arrays.copyOf(starts, n * 2);
        }
        starts[n++] = i + 1;
      }
    }
    return Arrays.copyOf(starts, n);
  }

  /** The 1-based line holding the character at {@code offset}. */
  private static int lineOf(int[] lineStarts, int offset) {
    int i = Arrays.binarySearch(lineStarts, offset);
    return (i >= 0 ? i : -i - 2) + 1;
  }
}
