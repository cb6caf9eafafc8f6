package io.prunesweep.cli;

import java.util.List;

/** The registry of subcommands, in the order {@code --help} lists them. One line per command. */
final class Commands {
    private Commands() {}

    static List<Object> all() {
        return List.of(
                new InfoCommand(),
                new PruneCommand()
        );
    }
}
