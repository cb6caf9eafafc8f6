package io.prunesweep.sweep.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;

/**
 * One list of JVM module flags: Spark's; the POM, the launcher and the deploy scripts spell out the
 * same.
 */
class JvmModuleOptionsTest {
    private static final Path ROOT = Path.of("..");

    @Test
    void theListIsSparksWithoutTheIncubatorModule() {
        List<String> spark = Arrays.asList(JavaModuleOptions.defaultModuleOptionArray());
        List<String> ours = JvmModuleOptions.all();
        assertEquals(
                spark.stream().filter(o -> !o.equals(JvmModuleOptions.INCUBATOR_VECTOR)).toList(),
                ours);
        assertTrue(
                ours.size() >= 15
                        && ours.stream()
                                .anyMatch(o -> o.startsWith("--add-opens=java.base/sun.nio.ch")),
                ours.toString());
        assertEquals(ours, ChildJvm.OPENS, "stage JVMs");
    }

    @Test
    void thePomTheLauncherAndTheDeployScriptsSayTheSame() throws IOException {
        List<String> ours = JvmModuleOptions.all();
        assertEquals(
                ours,
                words(
                        one(
                                Files.readString(ROOT.resolve("pom.xml")),
                                "<jvm.opens>(.*?)</jvm.opens>")),
                "pom.xml jvm.opens (the tests' JVMs)");
        assertEquals(
                ours,
                words(one(Files.readString(ROOT.resolve("prunesweep")), "\nOPENS=\"([^\"]*)\"")),
                "the prunesweep launcher");
        assertEquals(
                ours,
                words(
                        one(
                                Files.readString(ROOT.resolve("deploy/lib/submit-common.sh")),
                                "PRUNESWEEP_JVM_OPENS=\\(([^)]*)\\)")),
                "deploy/lib/submit-common.sh");
    }

    private static String one(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.DOTALL).matcher(text);
        assertTrue(m.find(), "no match for " + regex);
        return m.group(1);
    }

    private static List<String> words(String s) {
        return Arrays.stream(s.strip().split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }
}
