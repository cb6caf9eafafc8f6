package io.prunesweep.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Exit code, stdout and stderr of one in-process CLI run (the same picocli setup as {@code
 * ./prunesweep}).
 */
public record CliRun(int code, String out, String err) {
    public static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
