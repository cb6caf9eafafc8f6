package io.prunesweep.cli;

import java.util.ArrayList;
import java.util.List;

/** The registry of subcommands, in the order {@code --help} lists them. One line per command. */
final class Commands {
    private Commands() {}

    static List<Object> all() {
        List<Object> c = new ArrayList<>();
        c.add(new InfoCommand());
        c.add(new DataCommand());
        c.add(new TrainCommand());
        c.add(new TrainCommand.Finetune());
        c.add(new PruneCommand());
        c.add(new ValCommand());
        c.add(new ExportCommand());
        c.add(new BenchCommand());
        c.add(new DoctorCommand());
        return c;
    }
}
