package io.prunesweep.backend;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * The tests run through the same backend self-check as the CLI and the stage JVMs, before any test
 * touches libtorch: on a host whose default kernels are wrong the suite runs with the settings a
 * user would get, and on a host where nothing is right it stops with the check's message instead of
 * failing in a hundred places.
 */
public final class BackendCheckSessionListener implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        BackendVerdict v = BackendGuard.ensure();
        System.err.println("[tests] " + BackendGuard.oneLine(v));
    }
}
