// Runs after `mvn verify` on the copy of examples/third-party-plugin (basedir), built outside NDP's
// build. Checks that the template stands alone and that its JAR is a PF4J plugin holding only its
// own classes. Variables: basedir (the copy), ndpVersion (the version NDP is building).

import groovy.xml.XmlSlurper
import java.util.jar.JarFile

def problems = []

def pom = new XmlSlurper().parse(new File(basedir, 'pom.xml'))
if (!pom.parent.isEmpty()) {
    problems << "pom.xml has a parent (${pom.parent.artifactId}); the template must build without one"
}
def builtAgainst = pom.properties.'ndp.version'.text()
if (builtAgainst != ndpVersion) {
    problems << "pom.xml builds against ndp.version ${builtAgainst}, not the version being built, ${ndpVersion}"
}

def log = new File(basedir, 'build.log').getText('UTF-8')
if (log.contains('Some problems were encountered while building the effective model')) {
    problems << 'Maven warned about the model of pom.xml (see build.log), e.g. a plugin without a version'
}
// Surefire's last "Tests run" line is the total.
def testsRun = (log =~ /Tests run: (\d+), Failures: 0, Errors: 0/).collect { it[1] as int }
if (testsRun.isEmpty() || testsRun.last() == 0) {
    problems << 'the template\'s tests did not run (no "Tests run" line in build.log)'
}

def jarFile = new File(basedir, "target/${pom.artifactId.text()}-${pom.version.text()}.jar")
if (!jarFile.isFile()) {
    problems << "no plugin JAR at ${jarFile}"
} else {
    new JarFile(jarFile).withCloseable { jar ->
        def factories = []
        def attributes = jar.manifest?.mainAttributes
        ['Plugin-Id', 'Plugin-Version', 'Plugin-Provider', 'Plugin-Requires'].each { name ->
            if (!attributes?.getValue(name)?.trim()) {
                problems << "the manifest has no ${name} entry"
            }
        }
        def services = jar.getJarEntry('META-INF/services/io.ndp.api.PatternFactory')
        if (services == null) {
            problems << 'no META-INF/services/io.ndp.api.PatternFactory: PF4J\'s processor did not run with -Apf4j.storageClassName=org.pf4j.processor.ServiceProviderExtensionStorage'
        } else {
            factories = jar.getInputStream(services).getText('UTF-8').readLines()
                    .collect { it.replaceAll('#.*', '').trim() }.findAll { it }
            if (factories.isEmpty()) {
                problems << 'META-INF/services/io.ndp.api.PatternFactory names no factory'
            }
            factories.each { name ->
                if (jar.getJarEntry(name.replace('.', '/') + '.class') == null) {
                    problems << "META-INF/services names ${name}, which is not in the JAR"
                }
            }
        }
        def foreign = jar.entries().collect { it.name }
                .findAll { it.startsWith('io/ndp/api/') || it.startsWith('org/pf4j/') }
        if (!foreign.isEmpty()) {
            problems << "the JAR bundles classes the host provides: ${foreign.take(5)}"
        }
        println "template check: ${jarFile.name}: Plugin-Id ${attributes?.getValue('Plugin-Id')}, " +
                "factories ${factories}, ${testsRun ? testsRun.last() : 0} tests run"
    }
}

if (problems) {
    throw new AssertionError('the third-party plugin template, built alone:\n  - ' + problems.join('\n  - '))
}
return true
