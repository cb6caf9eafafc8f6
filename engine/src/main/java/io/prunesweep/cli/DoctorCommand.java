package io.prunesweep.cli;

import ai.djl.engine.Engine;
import io.prunesweep.backend.BackendGuard;
import io.prunesweep.backend.BackendSettings;
import io.prunesweep.backend.BackendVerdict;
import io.prunesweep.backend.Convolutions;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code prunesweep doctor}: the numerical backend's verdict for this machine, the CPU features it
 * depends on, the oneDNN ISA in use and the settings this process runs with. Exit 0 when a correct
 * setting exists, 4 when none does.
 */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description =
                "Check this machine's numerical backend (libtorch/oneDNN convolutions vs float64) and show the settings chosen.")
public final class DoctorCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--recheck",
            description = "Ignore the cached verdict and probe the ladder again.")
    boolean recheck;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        BackendVerdict v = BackendGuard.verdict(recheck, System.getProperty("java.class.path"));
        out.println("host:      " + v.host().hostname());
        out.println("CPU:       " + v.host().describe() + ", microcode " + v.host().microcode());
        out.println("flags:     " + String.join(" ", v.host().vectorFlags()));
        out.println("libtorch:  " + v.host().libtorch() + " (DJL " + Engine.getDjlVersion() + ")");
        out.println(
                "oneDNN:    "
                        + (v.onednnIsa().isEmpty() ? "ISA not reported" : v.onednnIsa())
                        + " (as dispatched by the probe of the chosen rung)");
        out.println(
                "ladder:    ("
                        + (recheck ? "probed now" : "verdict of " + v.checkedAt())
                        + ", "
                        + v.probeMillis()
                        + " ms)");
        for (BackendVerdict.Attempt a : v.tried()) {
            out.printf(
                    "  %-4s %-52s %s (%d ms)%n",
                    a.passed() ? "ok" : "FAIL", a.settings().label(), a.summary(), a.millis());
        }
        if (!v.usable()) {
            out.println(
                    "verdict:   nothing on the ladder computes correctly here; the engine refuses to run");
            out.flush();
            return 4;
        }
        BackendGuard.ensure();
        BackendSettings s = Convolutions.active();
        out.println("verdict:   " + s.label());
        out.println(
                "settings:  "
                        + BackendSettings.ISA_VARIABLE
                        + "="
                        + (s.defaultIsa() ? "(unset)" : s.isa())
                        + ", channel padding "
                        + (s.padTo() > 0 ? "to " + s.padTo() : "off")
                        + ", oneDNN convolutions "
                        + (s.onednn() ? "on" : "off")
                        + "; recheck in this JVM passed");
        out.flush();
        return 0;
    }
}
