package io.ndp.examples.hostapp;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.jspecify.annotations.Nullable;

/**
 * The orders file as RFC 4180 CSV (through Apache Commons CSV): quoted fields may hold commas,
 * quotes and line breaks. The input is streamed, never held whole: {@link #check} reads it once
 * before any work — UTF-8 text, the header, balanced quotes, at least one order — and {@link
 * #forEach} reads it again record by record, each with its true line number in the file.
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

  /**
   * The most characters of one record that are read (262,144); the rest of a longer record is
   * dropped as it is read, so a runaway line (a 50 MB address, 20 million commas) costs no more
   * memory than this, and the record is rejected as too long: it was not read whole. A valid order
   * is under 400 characters.
   */
  static final int RECORD_LIMIT = 262_144;

  private final @Nullable Path input;
  private final String name;

  /**
   * @param input the CSV, or {@code null} for the bundled one
   */
  OrdersCsv(@Nullable Path input) {
    this.input = input;
    this.name = input == null ? "the bundled data" : input.toString();
  }

  /**
   * One record of the input: its line number in the file (the header is line 1; for a record with a
   * quoted line break, the line it starts on), its fields as RFC 4180 reads them, and its text.
   */
  record InputRecord(int line, List<String> fields, String text, boolean tooLong) {
    InputRecord {
      fields = List.copyOf(fields);
    }

    /** A record read whole. */
    InputRecord(int line, List<String> fields, String text) {
      this(line, fields, text, false);
    }

    /** The same record with other fields (what the repair step makes of it). */
    InputRecord withFields(List<String> repaired) {
      return new InputRecord(line, repaired, text, tooLong);
    }
  }

  /** Reads the whole input into a list: for tests and small inputs ({@link #forEach} streams). */
  static List<InputRecord> read(@Nullable Path input) throws IOException {
    OrdersCsv csv = new OrdersCsv(input);
    csv.check();
    List<InputRecord> out = new ArrayList<>();
    csv.forEach(out::add);
    return out;
  }

  /**
   * Reads the input once, holding one record at a time, and counts its order records. An input that
   * is empty, has only the header, is not UTF-8 text, holds NUL characters, does not start with the
   * header or has an unclosed quote is an input error ({@link Cli.InputError}: one line, exit code
   * 2).
   *
   * @return how many order records follow the header
   */
  long check() throws IOException {
    long[] count = {0};
    checkedDigest = scan(r -> count[0]++);
    if (count[0] == 0) {
      throw new Cli.InputError("input " + name + " has no order lines, only the header");
    }
    checked = count[0];
    return count[0];
  }

  private long checked = -1;
  private byte @Nullable [] checkedDigest;

  /**
   * Streams the order records after the header to {@code action}, in file order.
   *
   * @throws IOException when the input changed since {@link #check} (other bytes: its SHA-256
   *     differs), found once it is read to its end
   */
  void forEach(RecordHandler action) throws IOException {
    long[] count = {0};
    byte[] digest;
    try {
      digest =
          scan(
              r -> {
                count[0]++;
                action.accept(r);
              });
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IOException(
          "input " + name + " no longer exists: it was moved or deleted after the check", e);
    } catch (Cli.InputError e) {
      // The check passed: what is wrong now came in after it (an exporter rewriting the file).
      throw new IOException("input " + name + " changed while it was read: " + e.getMessage(), e);
    }
    if (checkedDigest != null && !java.security.MessageDigest.isEqual(digest, checkedDigest)) {
      throw new IOException(
          String.format(
              Locale.ROOT,
              "input %s changed while it was read: its bytes differ from the ones checked (%d order"
                  + " records when checked, %d when ingested)",
              name,
              checked,
              count[0]));
    }
  }

  /** What {@link #forEach} does with each record. */
  @FunctionalInterface
  interface RecordHandler {
    void accept(InputRecord record) throws IOException;
  }

  /**
   * Parses the input as a stream. A record's line is computed from Commons CSV's count of line ends
   * read once the record is parsed, less the line ends inside its quoted fields: nothing but the
   * current and the next record is held, however many lines lie between them.
   */
  private byte[] scan(RecordHandler action) throws IOException {
    java.security.MessageDigest sha256;
    try {
      sha256 = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    try (InputStream in = new java.security.DigestInputStream(open(), sha256);
        RecordLimitingReader text =
            new RecordLimitingReader(new BomDroppingReader(utf8(in)), RECORD_LIMIT, name);
        CSVParser parser = IN.parse(text)) {
      Iterator<CSVRecord> it = parser.iterator();
      Parsed header = next(it, parser);
      while (header != null && header.blank()) {
        header = next(it, parser);
      }
      if (header == null) {
        throw new Cli.InputError(
            "input " + name + " is empty: expected the header " + String.join(",", HEADER));
      }
      Parsed current = next(it, parser);
      List<String> columns = header.record().stream().map(String::strip).toList();
      if (!columns.equals(HEADER)) {
        throw new Cli.InputError(
            "input "
                + name
                + " does not start with the header "
                + String.join(",", HEADER)
                + " (line "
                + header.firstLine()
                + " is '"
                + Order.shorten(String.join(",", header.record().toList()).strip())
                + "'; "
                + headerDifference(columns)
                + ")");
      }
      while (current != null) {
        Parsed next = next(it, parser);
        // A record cut short is never taken for a blank line (it may have been cut to spaces).
        if (!current.blank() || text.cutShort(current.firstLine())) {
          List<String> fields = current.record().toList();
          int line = current.firstLine();
          action.accept(
              new InputRecord(line, fields, String.join(",", fields), text.cutShort(line)));
        }
        current = next;
      }
    } catch (CharacterCodingException e) {
      throw notUtf8();
    } catch (UncheckedIOException e) {
      throw problem(e.getCause());
    } catch (org.apache.commons.csv.CSVException e) {
      throw problem(e);
    }
    return sha256.digest();
  }

  /** The first column of {@code columns} that is not the expected one, in words. */
  private static String headerDifference(List<String> columns) {
    for (int i = 0; i < HEADER.size(); i++) {
      if (i >= columns.size()) {
        return "column " + (i + 1) + ", '" + HEADER.get(i) + "', is missing";
      }
      if (!columns.get(i).equals(HEADER.get(i))) {
        return "column "
            + (i + 1)
            + " is '"
            + Order.shorten(columns.get(i))
            + "', expected '"
            + HEADER.get(i)
            + "'";
      }
    }
    return "it has " + columns.size() + " columns, expected " + HEADER.size();
  }

  /**
   * A record and Commons CSV's count of line ends read once it was parsed.
   *
   * @param record the record
   * @param lineEndsAfter Commons CSV's line number once the record was parsed
   */
  private record Parsed(CSVRecord record, long lineEndsAfter) {
    /** A line of spaces (an empty line is skipped by the parser itself). */
    boolean blank() {
      return record.size() == 1 && record.get(0).isBlank();
    }

    /**
     * The line the record starts on: Commons CSV's line count once the record is parsed is the line
     * it ends on (whether or not a line end follows it), less the line ends inside it.
     */
    int firstLine() {
      long inside = 0;
      for (String v : record) {
        inside += lineEnds(v);
      }
      return (int) (lineEndsAfter - inside);
    }
  }

  private Parsed next(Iterator<CSVRecord> it, CSVParser parser) {
    if (!it.hasNext()) {
      return null;
    }
    CSVRecord r = it.next();
    for (String f : r) {
      if (f.indexOf('\u0000') >= 0) {
        throw new Cli.InputError("input " + name + " is not a text file (it holds NUL characters)");
      }
    }
    return new Parsed(r, parser.getCurrentLineNumber());
  }

  /** Line ends in a value: LF, CR, and CRLF counted once. */
  static long lineEnds(String v) {
    long n = 0;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '\n' || (c == '\r' && (i + 1 == v.length() || v.charAt(i + 1) != '\n'))) {
        n++;
      }
    }
    return n;
  }

  /** A parse problem as an input error; an I/O failure as itself. */
  private IOException problem(IOException e) throws IOException {
    if (e instanceof CharacterCodingException) {
      throw notUtf8();
    }
    if (e instanceof org.apache.commons.csv.CSVException) {
      throw new Cli.InputError("input " + name + " is not valid CSV: " + csvProblem(e));
    }
    throw e;
  }

  private Cli.InputError notUtf8() {
    return new Cli.InputError("input " + name + " is not UTF-8 text (a binary file?)");
  }

  private InputStream open() throws IOException {
    if (input == null) {
      InputStream in = OrdersCsv.class.getResourceAsStream("/data/orders.csv");
      if (in == null) {
        throw new IOException("the bundled data/orders.csv is missing from the class path");
      }
      return in;
    }
    return Files.newInputStream(input);
  }

  /** A strict UTF-8 reader: malformed input is an error, not a replacement character. */
  private static Reader utf8(InputStream in) {
    return new InputStreamReader(
        in,
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT));
  }

  /** Commons CSV's reason, in words, without the exception chain's class names. */
  private static String csvProblem(Exception e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = String.valueOf(t.getMessage());
    Matcher start = java.util.regex.Pattern.compile("\\(startline ([\\d,]+)\\)").matcher(m);
    if (m.toLowerCase(Locale.ROOT).contains("eof reached before encapsulated token finished")) {
      return start.find()
          ? "a quoted field opened on line " + start.group(1) + " is not closed"
          : "a quoted field is not closed";
    }
    // Whole (Commons CSV names the line and position), but one line and of bounded length.
    return Order.shorten(m, 200);
  }

  /**
   * Passes the characters on, but at most {@code limit} characters of one record, and stops at a
   * NUL character (a text file holds none; a binary one may have no line end for hundreds of
   * megabytes). It follows RFC 4180 as the parser does (a quote opens a quoted field only at the
   * field's start; {@code ""} inside one is a quote; commas and line ends inside quotes do not end
   * the record), so it knows where each record ends. Past the limit it drops the rest of the
   * record, but closes an open quote and passes every line end on: the parser sees the record's
   * first {@code limit} characters, then empty lines, and its line count stays the file's. The
   * lines of the records cut short are kept ({@link #cutShort}). Not thread-safe.
   */
  static final class RecordLimitingReader extends Reader {
    private enum State {
      START,
      UNQUOTED,
      QUOTED,
      QUOTE,
      /** Whitespace after a closing quote, which the parser allows before a comma or line end. */
      AFTER_QUOTE
    }

    private final Reader in;
    private final int limit;
    private final String name;
    private final java.util.Set<Integer> cut = new java.util.HashSet<>();
    private final char[] chunk = new char[8192];
    // What is ready for the parser: at most two characters per one read (a closing quote, then
    // the character), filled only when empty.
    private final char[] ready = new char[2 * 8192];
    private int readyStart;
    private int readyEnd;
    private boolean eof;
    private State state = State.START;
    private boolean inRecord;
    private boolean dropping;
    private boolean afterCr;
    // A CR passed on as a line end while dropping: the LF of its CRLF is not passed on again.
    private boolean swallowLf;
    private int length;
    private int line = 1;
    private int recordLine = 1;
    private int quoteLine = 1;

    RecordLimitingReader(Reader in, int limit, String name) {
      this.in = in;
      this.limit = limit;
      this.name = name;
    }

    /** {@return whether the record that starts on {@code line} was cut short} */
    boolean cutShort(int line) {
      return cut.contains(line);
    }

    @Override
    public int read(char[] buf, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (readyStart == readyEnd) {
        if (eof) {
          return -1;
        }
        fill();
      }
      int n = Math.min(len, readyEnd - readyStart);
      System.arraycopy(ready, readyStart, buf, off, n);
      readyStart += n;
      return n;
    }

    private void fill() throws IOException {
      readyStart = 0;
      readyEnd = 0;
      int n = in.read(chunk, 0, chunk.length);
      if (n < 0) {
        eof = true;
        if (dropping && state == State.QUOTED) {
          // The quote the limiter closed was never closed in the file: the parser would have said.
          throw new Cli.InputError(
              "input "
                  + name
                  + " is not valid CSV: a quoted field opened on line "
                  + quoteLine
                  + " is not closed");
        }
        return;
      }
      for (int i = 0; i < n; i++) {
        char c = chunk[i];
        if (c == '\u0000') {
          throw new Cli.InputError(
              "input " + name + " is not a text file (it holds NUL characters)");
        }
        boolean lineEnd = c == '\n' || c == '\r';
        boolean recordEnd = lineEnd && state != State.QUOTED;
        if (!inRecord && !lineEnd) {
          inRecord = true;
          recordLine = line;
          length = 0;
        }
        boolean lfOfCrlf = c == '\n' && afterCr;
        // The LF of a CRLF is not counted: a cut never falls between the two.
        if (inRecord && !recordEnd && !dropping && !lfOfCrlf && ++length > limit) {
          dropping = true;
          cut.add(recordLine);
          if (state == State.QUOTED) {
            ready[readyEnd++] = '"'; // closes the quote the parser holds open
          }
        }
        if (dropping
            && (state == State.QUOTE || state == State.AFTER_QUOTE)
            && !(state == State.QUOTE && c == '"')
            && c != ','
            && !lineEnd
            && !Character.isWhitespace(c)) {
          throw new Cli.InputError(
              "input "
                  + name
                  + " is not valid CSV: Invalid character between encapsulated token and delimiter at"
                  + " line: "
                  + line);
        }
        if (state != State.QUOTED && c == '"' && (state == State.START)) {
          quoteLine = line;
        }
        step(c);
        boolean newLine = lineEnd && !lfOfCrlf;
        if (newLine) {
          line++;
        }
        afterCr = c == '\r';
        if (!dropping) {
          if (!(swallowLf && lfOfCrlf)) {
            ready[readyEnd++] = c;
          }
          swallowLf = false;
        } else if (newLine) {
          // One line end per line end of the file, as a plain LF: the parser's line count stays
          // the file's, whatever was dropped between a CR and an LF.
          ready[readyEnd++] = '\n';
          swallowLf = c == '\r';
        }
        if (recordEnd) {
          inRecord = false;
          dropping = false;
        }
      }
    }

    /** The RFC 4180 state after {@code c}. */
    private void step(char c) {
      boolean lineEnd = c == '\n' || c == '\r';
      state =
          switch (state) {
            case START ->
                c == '"' ? State.QUOTED : (c == ',' || lineEnd) ? State.START : State.UNQUOTED;
            case UNQUOTED -> (c == ',' || lineEnd) ? State.START : State.UNQUOTED;
            case QUOTED -> c == '"' ? State.QUOTE : State.QUOTED;
            case QUOTE ->
                c == '"'
                    ? State.QUOTED
                    : (c == ',' || lineEnd)
                        ? State.START
                        : Character.isWhitespace(c) ? State.AFTER_QUOTE : State.UNQUOTED;
            case AFTER_QUOTE ->
                (c == ',' || lineEnd)
                    ? State.START
                    : Character.isWhitespace(c) ? State.AFTER_QUOTE : State.UNQUOTED;
          };
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** Passes the characters on and drops a byte order mark at the start. Not thread-safe. */
  static final class BomDroppingReader extends Reader {
    private final Reader in;
    private boolean first = true;

    BomDroppingReader(Reader in) {
      this.in = in;
    }

    @Override
    public int read(char[] buf, int off, int len) throws IOException {
      int n = in.read(buf, off, len);
      if (n > 0 && first) {
        first = false;
        if (buf[off] == '\uFEFF') {
          System.arraycopy(buf, off + 1, buf, off, n - 1);
          return n == 1 ? read(buf, off, len) : n - 1;
        }
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
