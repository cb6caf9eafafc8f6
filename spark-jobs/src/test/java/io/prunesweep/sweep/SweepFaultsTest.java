package io.prunesweep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.sweep.testing.TestSweeps;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Settings that used to pass --dry-run and fail late (or hang): one line and exit 2 before any
 * work.
 */
class SweepFaultsTest {
    @TempDir Path dir;

    record Run(int code, String out, String err, long millis) {}

    /**
     * {@code sweep <yaml> --dry-run --set ...} in-process, as {@code ./prunesweep sweep} runs it.
     */
    Run dryRun(String... overrides) throws Exception {
        Path yaml = TestSweeps.yamlFile(dir, "faults", TestSweeps.path(dir.resolve("out")));
        List<String> args = new ArrayList<>(List.of(yaml.toString(), "--dry-run"));
        for (String o : overrides) {
            args.add("--set");
            args.add(o);
        }
        return run(args);
    }

    static Run run(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        var cl =
                SweepJob.commandLine(
                        new SweepJob(new PrintStream(out, true, StandardCharsets.UTF_8)));
        cl.setErr(new PrintWriter(err, true));
        long t0 = System.nanoTime();
        int code = cl.execute(args.toArray(String[]::new));
        return new Run(
                code,
                out.toString(StandardCharsets.UTF_8),
                err.toString(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    String yamlName() {
        return dir.resolve("faults.yaml").toString();
    }

    @Test
    void outputThatIsAFileIsRefusedBeforeAnyWork() throws Exception {
        Path file = Files.writeString(dir.resolve("results.txt"), "not a directory");
        Run r = dryRun("output=" + file);
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(
                "error: "
                        + yamlName()
                        + ": output="
                        + file
                        + " is an existing file, not a directory; name a"
                        + " directory (it is created when missing)\n",
                r.err());
        r = dryRun("output=" + file + "/sweep1");
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(
                "error: "
                        + yamlName()
                        + ": output="
                        + file
                        + "/sweep1: file:"
                        + file
                        + " is an existing file,"
                        + " not a directory; name a directory (it is created when missing)\n",
                r.err());
    }

    @Test
    void masterThatIsNoUrlIsOneLine() throws Exception {
        Run r = dryRun("spark.master=garbage!!");
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(
                "error: "
                        + yamlName()
                        + ": spark.master='garbage!!' is not a Spark master URL; use local[*],"
                        + " local[N], spark://host:7077, yarn or k8s://https://host:port\n",
                r.err());
    }

    @Test
    void unreachableMasterFailsWithinSeconds() throws Exception {
        Run r = dryRun("spark.master=spark://nohost.invalid:7077");
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(
                "error: spark.master=spark://nohost.invalid:7077 cannot be reached (nohost.invalid:7077: unknown"
                        + " host); start the master or fix the URL (spark-submit --master wins over the YAML)\n",
                r.err());
        assertTrue(r.millis() < 10_000, r.millis() + " ms");

        int closed = TestSweeps.freePort();
        r = dryRun("spark.master=spark://127.0.0.1:" + closed);
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(
                "error: spark.master=spark://127.0.0.1:"
                        + closed
                        + " cannot be reached (127.0.0.1:"
                        + closed
                        + ": Connection refused); start the master or fix the URL (spark-submit --master wins over the YAML)\n",
                r.err());
    }

    @Test
    void unreachableS3EndpointFailsWithinSeconds() throws Exception {
        Run r =
                dryRun(
                        "data.dataset=s3a://nonexistent-bucket/shapes/data.yaml",
                        "spark.conf.spark.hadoop.fs.s3a.endpoint=http://127.0.0.1:1",
                        "spark.conf.spark.hadoop.fs.s3a.access.key=AKIAEXAMPLE",
                        "spark.conf.spark.hadoop.fs.s3a.secret.key=planted-secret-value",
                        "spark.conf.spark.hadoop.fs.s3a.path.style.access=true");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(
                r.err()
                        .startsWith(
                                "error: "
                                        + yamlName()
                                        + ": data.dataset=s3a://nonexistent-bucket/shapes/data.yaml"
                                        + " cannot be checked: s3a endpoint http://127.0.0.1:1: ConnectException: Connection refused"),
                r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.millis() < 15_000, r.millis() + " ms");
    }

    @Test
    void yamlSyntaxErrorNamesLineAndColumn() throws Exception {
        Path yaml =
                Files.writeString(
                        dir.resolve("broken.yaml"),
                        "sweep: {id: x}\nprune:\n  ratios: [0.2, 0.4\n");
        Run r = run(List.of(yaml.toString(), "--dry-run"));
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(
                "error: "
                        + yaml
                        + ": not valid YAML: line 4, column 1: expected ',' or ']', but got <stream end>"
                        + " (while parsing a flow sequence from line 3, column 11)\n",
                r.err());
    }

    @Test
    void aBrokenSetValueBlamesTheSet() throws Exception {
        Run r = dryRun("prune.ratios=[0.2,");
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(
                "error: --set prune.ratios=[0.2,: the value is not valid YAML: line 1, column 6: expected the node"
                        + " content, but found '<stream end>' (while parsing a flow node from line 1, column 6); e.g. --set"
                        + " prune.ratios=[0.2,0.4]\n",
                r.err());
    }

    @Test
    void methodsParseAsForPrune() throws Exception {
        Run r = dryRun("prune.methods=[L1, BN]");
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(
                dryRun("prune.methods=[l1, bn]").out(),
                r.out(),
                "the same plan, the same point ids");
        r = dryRun("prune.methods=[l3]");
        assertEquals(2, r.code(), r.out() + r.err());
        // the registered methods, built-ins first (a test may have registered more in this JVM)
        assertTrue(
                r.err()
                        .startsWith(
                                "error: "
                                        + yamlName()
                                        + ": prune.methods[0]=l3 is not a method; use one of bn, l1, l2, random, unstructured"),
                r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void aBadOptionIsOneLineAndAPointerToTheHelp() {
        Run r = run(List.of("x.yaml", "--dry-runn"));
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals("error: Unknown option: '--dry-runn'\nsee: sweep --help\n", r.err());
    }
}
