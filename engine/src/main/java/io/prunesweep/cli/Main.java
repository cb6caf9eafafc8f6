package io.prunesweep.cli;

import io.prunesweep.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the engine CLI: {@code ./prunesweep <command> ...}. */
@Command(
        name = "prunesweep",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Prune YOLO detectors and sweep prune ratio x lambda grids.",
        subcommands = {CommandLine.HelpCommand.class},
        footer = {"", "Spark commands (./prunesweep runs them with the spark-jobs classpath):",
                "  sweep     Run a sweep YAML on Spark (conf/sweeps/quickstart.yaml).",
                "  report    Write a sweep's trade-off report (--results <sweep output>)."})
public final class Main implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The command line with every subcommand registered; commands live in this package. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        for (Object command : Commands.all()) {
            cl.addSubcommand(command);
        }
        cl.setExecutionExceptionHandler(Main::handleError);
        return cl;
    }

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        int code = commandLine().execute(args);
        System.exit(code);
    }

    /** Bad input is one clear line and exit 2; anything else keeps its stack trace for a bug report. */
    static int handleError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        Throwable t = e;
        while (t != null && !(t instanceof InputException)) {
            t = t.getCause();
        }
        if (t != null) {
            cl.getErr().println("error: " + t.getMessage());
            return 2;
        }
        cl.getErr().println("error: " + e);
        e.printStackTrace(cl.getErr());
        return 1;
    }

    /** Version from the jar manifest, or "dev" when run from classes. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"prunesweep " + (v == null ? "dev" : v)};
        }
    }
}
