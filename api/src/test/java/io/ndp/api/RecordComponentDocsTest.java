package io.ndp.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every component of every public record in the api has an {@code @param} in the record's Javadoc.
 * Doclint does not check record components, so this is the guard that keeps them documented.
 */
class RecordComponentDocsTest {
  private static final Path SOURCES = Path.of("src", "main", "java", "io", "ndp", "api");

  /** A Javadoc comment, then annotations and modifiers, then {@code record Name}. */
  private static final Pattern RECORD =
      Pattern.compile(
          "/\\*\\*((?:(?!\\*/).)*)\\*/\\s*(?:@[\\w.]+(?:\\([^)]*\\))?\\s*)*"
              + "(?:public\\s+|static\\s+|final\\s+)*record\\s+(\\w+)",
          Pattern.DOTALL);

  @Test
  void everyComponentOfEveryPublicRecord_hasAParamTag() throws IOException {
    List<String> missing = new ArrayList<>();
    int records = 0;
    List<Path> files;
    // Every package of the api, io.ndp.api.event included.
    try (Stream<Path> s = Files.walk(SOURCES)) {
      files = s.filter(p -> p.toString().endsWith(".java")).toList();
    }
    for (Path file : files) {
      String source = Files.readString(file);
      String top = file.getFileName().toString().replace(".java", "");
      String pkg =
          SOURCES
              .relativize(file.getParent())
              .toString()
              .replace(file.getFileSystem().getSeparator(), ".");
      String prefix = pkg.isEmpty() ? "io.ndp.api." : "io.ndp.api." + pkg + ".";
      Matcher m = RECORD.matcher(source);
      while (m.find()) {
        Class<?> type = load(prefix, top, m.group(2));
        if (type == null || !type.isRecord() || !Modifier.isPublic(type.getModifiers())) {
          continue;
        }
        records++;
        String doc = m.group(1);
        for (RecordComponent c : type.getRecordComponents()) {
          if (!Pattern.compile("@param\\s+" + c.getName() + "\\s+\\S").matcher(doc).find()) {
            missing.add(type.getName() + "." + c.getName());
          }
        }
      }
    }
    assertThat(records).as("public records found").isGreaterThan(20);
    assertThat(missing).as("components without an @param").isEmpty();
  }

  private static Class<?> load(String prefix, String top, String name) {
    for (String candidate : List.of(prefix + name, prefix + top + "$" + name)) {
      try {
        return Class.forName(candidate);
      } catch (ClassNotFoundException e) {
        // try the next form
      }
    }
    return null;
  }
}
