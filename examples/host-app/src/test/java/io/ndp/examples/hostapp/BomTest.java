package io.ndp.examples.hostapp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The BOM and the README's "Use it in your project" against the build itself, read from the POM
 * files (not from a local repository, where an earlier install could hide a drift): the BOM has the
 * project's version and pins exactly the published modules (those that attach sources and Javadoc
 * JARs), and the README names each of them.
 */
class BomTest {

  private static final Path ROOT = Path.of("..", "..");

  @Test
  void theBom_hasTheProjectsVersion_andPinsExactlyThePublishedModules() throws Exception {
    Document bom = read(ROOT.resolve("bom/pom.xml"));
    Document root = read(ROOT.resolve("pom.xml"));

    assertThat(child(bom.getDocumentElement(), "version"))
        .as("bom/pom.xml's version")
        .isEqualTo(child(root.getDocumentElement(), "version"));

    Set<String> pinned = new TreeSet<>();
    NodeList deps = bom.getElementsByTagName("dependency");
    for (int i = 0; i < deps.getLength(); i++) {
      Element d = (Element) deps.item(i);
      assertThat(child(d, "version")).as("version of %s", d).isEqualTo("${project.version}");
      pinned.add(child(d, "groupId") + ":" + child(d, "artifactId"));
    }
    assertThat(pinned).as("the BOM's artifacts").isEqualTo(published());
  }

  @Test
  void theReadme_namesEveryPublishedArtifact() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    String section =
        readme.substring(
            readme.indexOf("## Use it in your project"), readme.indexOf("## Spring Boot"));
    for (String artifact : published()) {
      assertThat(section)
          .as("README, Use it in your project")
          .contains(artifact.substring(artifact.indexOf(':') + 1));
    }
  }

  /** The modules of the build whose POM attaches a sources JAR: groupId:artifactId. */
  private static Set<String> published() throws Exception {
    Set<String> out = new TreeSet<>();
    for (Path pom : modules(ROOT)) {
      String text = Files.readString(pom);
      if (text.contains("<artifactId>maven-source-plugin</artifactId>") && !isParent(pom)) {
        out.add("io.ndp:" + child(read(pom).getDocumentElement(), "artifactId"));
      }
    }
    // The plugin kinds inherit the declaration from their parent, ndp-plugins-parent.
    for (Path pom : modules(ROOT.resolve("plugins"))) {
      out.add("io.ndp:" + child(read(pom).getDocumentElement(), "artifactId"));
    }
    assertThat(out).as("published modules found").hasSizeGreaterThanOrEqualTo(5);
    return out;
  }

  private static boolean isParent(Path pom) throws Exception {
    return "pom".equals(child(read(pom).getDocumentElement(), "packaging"));
  }

  /** The POMs of the modules {@code dir}'s POM lists. */
  private static List<Path> modules(Path dir) throws Exception {
    List<Path> out = new ArrayList<>();
    NodeList modules = read(dir.resolve("pom.xml")).getElementsByTagName("module");
    for (int i = 0; i < modules.getLength(); i++) {
      out.add(dir.resolve(modules.item(i).getTextContent().trim()).resolve("pom.xml"));
    }
    return out;
  }

  private static Document read(Path pom) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(pom.toFile());
  }

  /** The text of {@code parent}'s direct child element {@code name}, or null. */
  private static String child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e.getTextContent().trim();
      }
    }
    return null;
  }
}
