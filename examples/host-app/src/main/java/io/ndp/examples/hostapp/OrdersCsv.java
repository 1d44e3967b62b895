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
  record InputRecord(int line, List<String> fields, String text) {
    InputRecord {
      fields = List.copyOf(fields);
    }

    /** The same record with other fields (what the repair step makes of it). */
    InputRecord withFields(List<String> repaired) {
      return new InputRecord(line, repaired, text);
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
    scan(r -> count[0]++);
    if (count[0] == 0) {
      throw new Cli.InputError("input " + name + " has no order lines, only the header");
    }
    return count[0];
  }

  /** Streams the order records after the header to {@code action}, in file order. */
  void forEach(RecordHandler action) throws IOException {
    scan(action);
  }

  /** What {@link #forEach} does with each record. */
  @FunctionalInterface
  interface RecordHandler {
    void accept(InputRecord record) throws IOException;
  }

  private void scan(RecordHandler action) throws IOException {
    try (InputStream in = open();
        TrackingReader text = new TrackingReader(utf8(in));
        CSVParser parser = IN.parse(text)) {
      Iterator<CSVRecord> it = parser.iterator();
      CSVRecord header = nextNonBlank(it);
      if (header == null) {
        throw new Cli.InputError(
            "input " + name + " is empty: expected the header " + String.join(",", HEADER));
      }
      checkNoNul(header);
      CSVRecord previous = header;
      CSVRecord current = nextNonBlank(it);
      if (!header.stream().map(String::strip).toList().equals(HEADER)) {
        long end = current == null ? text.position() : current.getCharacterPosition();
        throw new Cli.InputError(
            "input "
                + name
                + " does not start with the header "
                + String.join(",", HEADER)
                + " (line 1 is '"
                + Order.shorten(text.text(header.getCharacterPosition(), end).strip())
                + "')");
      }
      while (current != null) {
        checkNoNul(current);
        CSVRecord next = nextNonBlank(it);
        long start = text.skipLineBreaks(current.getCharacterPosition());
        long end = next == null ? text.position() : next.getCharacterPosition();
        InputRecord r =
            new InputRecord(text.lineOf(start), current.toList(), text.text(start, end).strip());
        text.forgetBefore(end);
        action.accept(r);
        previous = current;
        current = next;
      }
      assert previous != null;
    } catch (CharacterCodingException e) {
      throw notUtf8();
    } catch (UncheckedIOException e) {
      throw problem(e.getCause());
    } catch (org.apache.commons.csv.CSVException e) {
      throw problem(e);
    }
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

  private void checkNoNul(CSVRecord r) {
    for (String f : r) {
      if (f.indexOf('\u0000') >= 0) {
        throw new Cli.InputError("input " + name + " is not a text file (it holds NUL characters)");
      }
    }
  }

  /** The next record that is not a line of spaces, or {@code null} at the end. */
  private static @Nullable CSVRecord nextNonBlank(Iterator<CSVRecord> it) {
    while (it.hasNext()) {
      CSVRecord r = it.next();
      if (!(r.size() == 1 && r.get(0).isBlank())) {
        return r;
      }
    }
    return null;
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
    return Order.shorten(m);
  }

  /**
   * The characters the parser reads, with what is needed to give a record its line number and text:
   * the offsets at which lines start and the characters since the oldest record still wanted. A
   * byte order mark at the start is dropped. Not thread-safe (one parse).
   */
  static final class TrackingReader extends Reader {
    private final Reader in;
    private final StringBuilder window = new StringBuilder();
    private long windowStart;
    private long position;
    private int lines = 1; // lines started before or at the first kept line start
    private final java.util.ArrayDeque<Long> lineStarts = new java.util.ArrayDeque<>();
    private boolean first = true;
    private boolean lastWasCr;

    TrackingReader(Reader in) {
      this.in = in;
    }

    @Override
    public int read(char[] buf, int off, int len) throws IOException {
      int n = in.read(buf, off, len);
      if (n <= 0) {
        return n;
      }
      int from = off;
      if (first) {
        first = false;
        if (buf[off] == '\uFEFF') {
          System.arraycopy(buf, off + 1, buf, off, n - 1);
          n--;
          if (n == 0) {
            return read(buf, off, len);
          }
        }
      }
      for (int i = from; i < off + n; i++) {
        char c = buf[i];
        position++;
        if (c == '\n') {
          if (!lastWasCr) {
            lineStarts.add(position);
          } else {
            lineStarts.pollLast();
            lineStarts.add(position); // CRLF: the line starts after the LF
          }
        } else if (c == '\r') {
          lineStarts.add(position);
        }
        lastWasCr = c == '\r';
      }
      window.append(buf, off, n);
      return n;
    }

    /** How many characters were read. */
    long position() {
      return position;
    }

    /** The 1-based line holding the character at {@code offset} (not yet forgotten). */
    int lineOf(long offset) {
      int line = lines;
      for (long start : lineStarts) {
        if (start > offset) {
          break;
        }
        line++;
      }
      return line;
    }

    /** The first offset at or after {@code offset} that is not a line break. */
    long skipLineBreaks(long offset) {
      long o = offset;
      while (o < position) {
        char c = window.charAt((int) (o - windowStart));
        if (c != '\n' && c != '\r') {
          break;
        }
        o++;
      }
      return o;
    }

    /** The characters from {@code start} to {@code end} (not yet forgotten). */
    String text(long start, long end) {
      return window.substring((int) (start - windowStart), (int) (end - windowStart));
    }

    /** Drops what lies before {@code offset}: no record before it is wanted any more. */
    void forgetBefore(long offset) {
      while (!lineStarts.isEmpty() && lineStarts.peekFirst() <= offset) {
        lineStarts.pollFirst();
        lines++;
      }
      window.delete(0, (int) (offset - windowStart));
      windowStart = offset;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
