package io.prunesweep.cli;

import io.prunesweep.InputException;
import io.prunesweep.backend.BackendException;
import io.prunesweep.backend.BackendGuard;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the engine CLI: {@code ./prunesweep <command> ...}. */
@Command(
        name = "prunesweep",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Prune YOLO detectors and sweep prune ratio x lambda grids.",
        subcommands = {CommandLine.HelpCommand.class},
        footer = {
            "",
            "Spark commands (./prunesweep runs them with the spark-jobs classpath):",
            "  sweep     Run a sweep YAML on Spark (conf/sweeps/quickstart.yaml).",
            "  report    Write a sweep's trade-off report (--results <sweep output>)."
        })
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
        PruneCommand.addCriteriaSection(cl.getSubcommands().get("prune"));
        cl.setExecutionExceptionHandler(Main::handleError);
        cl.setParameterExceptionHandler(Main::handleBadArguments);
        return cl;
    }

    /**
     * A mistyped option is one line and a pointer to the help, exit 2: not the whole usage (50
     * lines) after it. Shared by the sweep driver.
     */
    public static int handleBadArguments(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        cl.getErr().println("error: " + e.getMessage());
        cl.getErr().println("see: " + cl.getCommandSpec().qualifiedName() + " --help");
        cl.getErr().flush();
        return 2;
    }

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        CommandLine cl = commandLine();
        // the backend is checked after the command line parsed: a mistyped option costs no libtorch
        // start
        cl.setExecutionStrategy(
                parsed -> {
                    if (needsBackend(args)) {
                        try {
                            BackendGuard.ensure();
                        } catch (BackendException e) {
                            cl.getErr().println("error: " + e.getMessage());
                            return 4;
                        }
                    }
                    return new CommandLine.RunLast().execute(parsed);
                });
        System.exit(cl.execute(args));
    }

    /**
     * Commands that compute with libtorch check the backend first. Help and version do not compute;
     * {@code info} counts analytically and {@code data} only reads and writes images; {@code
     * doctor} checks by itself.
     */
    static boolean needsBackend(String[] args) {
        if (args.length == 0) {
            return false;
        }
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h") || a.equals("--version") || a.equals("-V")) {
                return false;
            }
        }
        return !List.of("help", "doctor", "info", "data").contains(args[0]);
    }

    /**
     * Bad input is one clear line and exit 2; anything else keeps its stack trace for a bug report.
     */
    static int handleError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        Throwable t = e;
        while (t != null && !(t instanceof InputException)) {
            t = t.getCause();
        }
        if (t != null) {
            cl.getErr().println("error: " + t.getMessage());
            return 2;
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof BackendException) {
                cl.getErr().println("error: " + c.getMessage());
                return 4;
            }
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
