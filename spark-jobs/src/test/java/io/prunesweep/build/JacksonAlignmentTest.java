package io.prunesweep.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Jackson on the classpath is the version Spark was built with. Our BOM pins Jackson for the
 * engine; pinned lower, it silently downgraded Spark's own Jackson (and jackson-module-scala, which
 * refuses a mismatched databind at run time). Each version is read from the jar that really
 * provides the class: shaded copies (Hadoop's, S3Proxy's) don't count.
 */
class JacksonAlignmentTest {
    @Test
    void jacksonIsSparksVersion() throws Exception {
        String repo = System.getProperty("prunesweep.maven.repo");
        String spark = System.getProperty("prunesweep.spark.version");
        String scala = System.getProperty("prunesweep.scala.binary");
        assertNotNull(
                repo,
                "run through Maven: Surefire passes the local repository and Spark's version");
        Path pom =
                Path.of(
                        repo,
                        "org",
                        "apache",
                        "spark",
                        "spark-parent_" + scala,
                        spark,
                        "spark-parent_" + scala + "-" + spark + ".pom");
        assertTrue(
                Files.isRegularFile(pom),
                "Spark's parent POM, which Maven resolved to build this module: " + pom);
        Matcher m =
                Pattern.compile("<fasterxml\\.jackson\\.version>([^<]+)</")
                        .matcher(Files.readString(pom));
        assertTrue(m.find(), "fasterxml.jackson.version in " + pom);
        String sparks = m.group(1).trim();
        String[][] artifacts = {
            {
                "com.fasterxml.jackson.databind.ObjectMapper",
                "com.fasterxml.jackson.core/jackson-databind"
            },
            {"com.fasterxml.jackson.core.JsonFactory", "com.fasterxml.jackson.core/jackson-core"},
            {
                "com.fasterxml.jackson.dataformat.yaml.YAMLFactory",
                "com.fasterxml.jackson.dataformat/jackson-dataformat-yaml"
            },
            {
                "com.fasterxml.jackson.module.scala.DefaultScalaModule",
                "com.fasterxml.jackson.module/jackson-module-scala_" + scala
            }
        };
        for (String[] a : artifacts) {
            assertEquals(
                    sparks,
                    version(a[0], a[1]),
                    a[1] + " on the classpath vs Spark " + spark + "'s Jackson");
        }
    }

    /**
     * The version in the pom.properties of the jar that really provides {@code className} (shaded
     * copies elsewhere don't count).
     */
    private static String version(String className, String groupSlashArtifact) throws Exception {
        Path jar =
                Path.of(
                        Class.forName(className)
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        try (JarFile jf = new JarFile(jar.toFile())) {
            JarEntry e = jf.getJarEntry("META-INF/maven/" + groupSlashArtifact + "/pom.properties");
            if (e == null) { // built with sbt (jackson-module-scala): the OSGi manifest carries
                // the version
                String v =
                        jf.getManifest() == null
                                ? null
                                : jf.getManifest().getMainAttributes().getValue("Bundle-Version");
                assertNotNull(
                        v,
                        jar
                                + " has neither a pom.properties for "
                                + groupSlashArtifact
                                + " nor a Bundle-Version");
                return v;
            }
            try (InputStream in = jf.getInputStream(e)) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version");
            }
        }
    }
}
