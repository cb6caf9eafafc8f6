package io.prunesweep.sweep.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Spark standalone Master on 127.0.0.1, started from the Spark jars on the test classpath (no
 * distribution), with the environment and log settings its Workers need too.
 *
 * @param env SPARK_HOME (an empty folder), Scala version and local IP: pass it (or a copy) to the
 *     Workers
 * @param logConf a {@code -Dlog4j2.configurationFile} flag whose config logs the deploy classes'
 *     "ready" lines
 */
public record StandaloneMaster(
        Process process, String url, Map<String, String> env, String logConf) {

    public static StandaloneMaster start(Path dir) throws Exception {
        Path sparkHome = Files.createDirectories(dir.resolve("spark-home/jars")).getParent();
        Map<String, String> env =
                new HashMap<>(
                        Map.of(
                                "SPARK_HOME",
                                sparkHome.toString(),
                                "SPARK_SCALA_VERSION",
                                "2.13",
                                "SPARK_LOCAL_IP",
                                "127.0.0.1"));
        // INFO for the deploy classes: the tests wait for their "ready" lines.
        Path log4j =
                Files.writeString(
                        dir.resolve("log4j2.properties"),
                        """
                rootLogger.level = warn
                rootLogger.appenderRef.out.ref = out
                appender.out.type = Console
                appender.out.name = out
                appender.out.layout.type = PatternLayout
                appender.out.layout.pattern = %d{HH:mm:ss} %-5p %c{1}: %m%n
                logger.deploy.name = org.apache.spark.deploy
                logger.deploy.level = info
                """);
        String logConf = "-Dlog4j2.configurationFile=" + log4j;
        int port = TestSweeps.freePort();
        Path masterLog = dir.resolve("master.log");
        Process master =
                TestSweeps.startJvm(
                        "org.apache.spark.deploy.master.Master",
                        List.of(
                                "--host",
                                "127.0.0.1",
                                "--port",
                                Integer.toString(port),
                                "--webui-port",
                                Integer.toString(TestSweeps.freePort())),
                        env,
                        masterLog,
                        logConf);
        TestSweeps.waitForLog(masterLog, "I have been elected leader", 60_000);
        return new StandaloneMaster(master, "spark://127.0.0.1:" + port, env, logConf);
    }
}
