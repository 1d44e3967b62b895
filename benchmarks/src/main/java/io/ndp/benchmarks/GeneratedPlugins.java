package io.ndp.benchmarks;

import io.ndp.api.NdpVersion;
import io.ndp.benchmarks.plugintemplate.KindFactory;
import io.ndp.benchmarks.plugintemplate.KindPattern;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Writes plugin JARs for the plugin start benchmark: each a distinct plugin (its own {@code
 * Plugin-Id}) with a pattern kind of its own (its own type id, its own factory and pattern classes
 * in a package of its own), packed as the build packs the built-in kinds: the PF4J descriptor in
 * the manifest, the factory in {@code META-INF/services/io.ndp.api.PatternFactory}, and no API
 * classes.
 *
 * <p>The classes are the compiled {@link KindFactory} and {@link KindPattern} with their package
 * and type id renamed in the class file's constant pool, where every class name, descriptor and
 * string constant lives. So no compiler is needed at run time ({@code benchmarks.jar} runs on a JRE
 * too), and each plugin's classes are as large as a small hand-written kind's. PF4J loads each
 * plugin's copy in that plugin's class loader; NDP sees a hundred different factory classes, not
 * one class a hundred times.
 *
 * <p>Not instantiable; the methods are thread-safe.
 */
final class GeneratedPlugins {

  /** Where the template classes live, as a class file names it. */
  private static final String TEMPLATE_PACKAGE =
      KindFactory.class.getPackageName().replace('.', '/') + "/";

  private static final List<Class<?>> TEMPLATE_CLASSES =
      List.of(KindFactory.class, KindPattern.class);

  private GeneratedPlugins() {}

  /** The plugin id of the {@code i}-th generated plugin. */
  static String pluginId(int i) {
    return String.format(Locale.ROOT, "generated-plugin-%03d", i);
  }

  /** The pattern type id the {@code i}-th generated plugin provides. */
  static String type(int i) {
    return String.format(Locale.ROOT, "generated-kind-%03d", i);
  }

  /** The package of the {@code i}-th generated plugin's classes. */
  static String packageName(int i) {
    return String.format(Locale.ROOT, "io.ndp.benchmarks.generated.kind%03d", i);
  }

  /**
   * Writes {@code count} plugin JARs into {@code dir}, creating it if needed.
   *
   * @param dir the plugins folder
   * @param count how many plugins, at least 1
   * @return the JARs, in plugin order
   * @throws IOException when a JAR cannot be written
   */
  static List<Path> write(Path dir, int count) throws IOException {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1 but was " + count);
    }
    Map<String, byte[]> templates = new LinkedHashMap<>();
    for (Class<?> c : TEMPLATE_CLASSES) {
      templates.put(c.getSimpleName(), classBytes(c));
    }
    Files.createDirectories(dir);
    List<Path> jars = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      jars.add(writeJar(dir, i, templates));
    }
    return jars;
  }

  private static Path writeJar(Path dir, int i, Map<String, byte[]> templates) throws IOException {
    String pkg = packageName(i).replace('.', '/') + "/";
    Map<String, String> renames = Map.of(TEMPLATE_PACKAGE, pkg, KindPattern.TYPE, type(i));
    Manifest mf = new Manifest();
    Attributes a = mf.getMainAttributes();
    a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    a.putValue("Plugin-Id", pluginId(i));
    a.putValue("Plugin-Version", "1.0.0");
    a.putValue("Plugin-Provider", "NDP benchmarks");
    a.putValue("Plugin-Requires", ">=" + NdpVersion.API_VERSION);
    a.putValue("Plugin-Description", "generated for the plugin start benchmark");
    Path jar = dir.resolve(pluginId(i) + "-1.0.0.jar");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream jos = new JarOutputStream(out, mf)) {
      // Directory entries as a Maven-built JAR has them; PF4J's service-provider finder looks the
      // services folder up as a resource and needs its entry.
      List<String> dirs = new ArrayList<>(List.of("META-INF/services/"));
      for (int at = pkg.indexOf('/'); at > 0; at = pkg.indexOf('/', at + 1)) {
        dirs.add(pkg.substring(0, at + 1));
      }
      for (String d : dirs) {
        jos.putNextEntry(new JarEntry(d));
        jos.closeEntry();
      }
      for (Map.Entry<String, byte[]> t : templates.entrySet()) {
        jos.putNextEntry(new JarEntry(pkg + t.getKey() + ".class"));
        jos.write(renamed(t.getValue(), renames));
        jos.closeEntry();
      }
      jos.putNextEntry(new JarEntry("META-INF/services/io.ndp.api.PatternFactory"));
      String factory = packageName(i) + "." + KindFactory.class.getSimpleName();
      jos.write((factory + "\n").getBytes(StandardCharsets.UTF_8));
      jos.closeEntry();
    }
    return jar;
  }

  private static byte[] classBytes(Class<?> c) {
    String resource = c.getName().replace('.', '/') + ".class";
    try (InputStream in = c.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("template class file " + resource + " is not readable");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read template class file " + resource, e);
    }
  }

  /**
   * A copy of a class file with every occurrence of each key replaced by its value in the constant
   * pool's UTF-8 entries (class names, descriptors, string constants); the rest is copied byte for
   * byte, since nothing outside the pool holds text and pool indexes do not change.
   *
   * @throws IllegalStateException when the bytes are not a class file, or a key occurs nowhere (the
   *     template no longer has what the benchmark relies on)
   */
  static byte[] renamed(byte[] classFile, Map<String, String> replacements) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
      ByteArrayOutputStream buffer = new ByteArrayOutputStream(classFile.length + 256);
      DataOutputStream out = new DataOutputStream(buffer);
      int magic = in.readInt();
      if (magic != 0xCAFEBABE) {
        throw new IllegalStateException(
            String.format(Locale.ROOT, "not a class file: magic 0x%08X", magic));
      }
      out.writeInt(magic);
      out.writeShort(in.readUnsignedShort()); // minor version
      out.writeShort(in.readUnsignedShort()); // major version
      int count = in.readUnsignedShort();
      out.writeShort(count);
      Map<String, Boolean> seen = new LinkedHashMap<>();
      replacements.keySet().forEach(k -> seen.put(k, false));
      for (int index = 1; index < count; index++) {
        int tag = in.readUnsignedByte();
        out.writeByte(tag);
        switch (tag) {
          case 1 -> { // Utf8, in the same modified UTF-8 that readUTF/writeUTF use
            String s = in.readUTF();
            for (Map.Entry<String, String> r : replacements.entrySet()) {
              if (s.contains(r.getKey())) {
                s = s.replace(r.getKey(), r.getValue());
                seen.put(r.getKey(), true);
              }
            }
            out.writeUTF(s);
          }
          case 7, 8, 16, 19, 20 -> copy(in, out, 2); // Class, String, MethodType, Module, Package
          case 15 -> copy(in, out, 3); // MethodHandle
          case 3, 4, 9, 10, 11, 12, 17, 18 ->
              copy(in, out, 4); // Integer, Float, refs, (Invoke)Dynamic
          case 5, 6 -> { // Long, Double: two pool slots
            copy(in, out, 8);
            index++;
          }
          default ->
              throw new IllegalStateException(
                  String.format(
                      Locale.ROOT, "unknown constant pool tag %d at index %d", tag, index));
        }
      }
      in.transferTo(out);
      List<String> missing =
          seen.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
      if (!missing.isEmpty()) {
        throw new IllegalStateException(
            "the template class file does not contain " + missing + "; nothing to rename");
      }
      out.flush();
      return buffer.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("truncated class file: " + e, e);
    }
  }

  private static void copy(DataInputStream in, DataOutputStream out, int bytes) throws IOException {
    byte[] b = new byte[bytes];
    in.readFully(b);
    out.write(b);
  }
}
