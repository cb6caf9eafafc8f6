package io.prunesweep.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read the way docker reads it, as far as the deploy tests need: instructions
 * (comments dropped, continuation lines joined), build stages, ARG defaults and ${VAR} expansion,
 * ENV, COPY and RUN.
 */
final class Dockerfile {
    /** One instruction: keyword upper case, arguments as written (continuations joined). */
    record Instruction(String keyword, String arguments) {}

    /** A build stage: its base image (ARGs expanded), its name (AS ...), its instructions. */
    record Stage(String baseImage, String name, List<Instruction> instructions) {}

    /** COPY [--from=stage] sources... destination. */
    record Copy(String fromStage, List<String> sources, String destination) {}

    private static final Pattern VAR = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)");

    private final Map<String, String> globalArgs;
    private final List<Stage> stages;

    private Dockerfile(Map<String, String> globalArgs, List<Stage> stages) {
        this.globalArgs = globalArgs;
        this.stages = stages;
    }

    static Dockerfile parse(Path file) throws IOException {
        List<Instruction> all = new ArrayList<>();
        StringBuilder current = null;
        for (String raw : Files.readAllLines(file)) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current == null)) {
                continue; // comments may sit inside a continued instruction too
            }
            current = current == null ? new StringBuilder(line) : current.append(' ').append(line);
            if (line.endsWith("\\")) {
                current.setLength(current.length() - 1);
                continue;
            }
            String text = current.toString().strip();
            current = null;
            if (text.isEmpty()) {
                continue;
            }
            int space = text.indexOf(' ');
            all.add(
                    new Instruction(
                            text.substring(0, space < 0 ? text.length() : space)
                                    .toUpperCase(java.util.Locale.ROOT),
                            space < 0 ? "" : text.substring(space + 1).strip()));
        }
        Map<String, String> globalArgs = new LinkedHashMap<>();
        List<Stage> stages = new ArrayList<>();
        List<Instruction> body = null;
        for (Instruction i : all) {
            if (i.keyword().equals("FROM")) {
                List<String> words = new ArrayList<>(List.of(i.arguments().split("\\s+")));
                words.removeIf(w -> w.startsWith("--"));
                String name =
                        words.size() >= 3 && words.get(1).equalsIgnoreCase("AS")
                                ? words.get(2)
                                : null;
                body = new ArrayList<>();
                stages.add(new Stage(expand(words.get(0), globalArgs), name, body));
            } else if (body == null) {
                if (i.keyword().equals("ARG")) {
                    putArg(globalArgs, i.arguments());
                }
            } else {
                body.add(i);
            }
        }
        return new Dockerfile(globalArgs, stages);
    }

    private static void putArg(Map<String, String> args, String declaration) {
        int eq = declaration.indexOf('=');
        args.put(
                eq < 0 ? declaration : declaration.substring(0, eq),
                eq < 0 ? null : unquote(declaration.substring(eq + 1)));
    }

    static String expand(String text, Map<String, String> vars) {
        Matcher m = VAR.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String value = vars.get(name);
            m.appendReplacement(sb, Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        return m.appendTail(sb).toString();
    }

    private static String unquote(String s) {
        s = s.strip();
        return s.length() >= 2
                        && (s.startsWith("\"") && s.endsWith("\"")
                                || s.startsWith("'") && s.endsWith("'"))
                ? s.substring(1, s.length() - 1)
                : s;
    }

    Map<String, String> globalArgs() {
        return globalArgs;
    }

    List<Stage> stages() {
        return stages;
    }

    Stage stage(String name) {
        return stages.stream()
                .filter(s -> name.equals(s.name()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no build stage " + name));
    }

    Stage finalStage() {
        return stages.get(stages.size() - 1);
    }

    /**
     * The ARG values visible in a stage: ARGs it re-declares take the global default (or their
     * own).
     */
    Map<String, String> args(Stage stage) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Instruction i : stage.instructions()) {
            if (i.keyword().equals("ARG")) {
                String decl = i.arguments();
                int eq = decl.indexOf('=');
                String name = eq < 0 ? decl : decl.substring(0, eq);
                out.put(name, eq < 0 ? globalArgs.get(name) : unquote(decl.substring(eq + 1)));
            }
        }
        return out;
    }

    /**
     * The final image's environment: every ENV of the final stage, ARGs and earlier ENVs expanded.
     */
    Map<String, String> env() {
        Stage stage = finalStage();
        Map<String, String> vars = new LinkedHashMap<>(args(stage));
        Map<String, String> env = new LinkedHashMap<>();
        for (Instruction i : stage.instructions()) {
            if (i.keyword().equals("ENV")) {
                for (String pair : i.arguments().split("\\s+(?=[A-Za-z_][A-Za-z0-9_]*=)")) {
                    int eq = pair.indexOf('=');
                    String value = expand(unquote(pair.substring(eq + 1)), vars);
                    env.put(pair.substring(0, eq).strip(), value);
                    vars.put(pair.substring(0, eq).strip(), value);
                }
            }
        }
        return env;
    }

    List<Copy> copies(Stage stage) {
        List<Copy> out = new ArrayList<>();
        for (Instruction i : stage.instructions()) {
            if (i.keyword().equals("COPY") || i.keyword().equals("ADD")) {
                String from = null;
                List<String> words = new ArrayList<>();
                for (String w : i.arguments().split("\\s+")) {
                    if (w.startsWith("--from=")) {
                        from = w.substring("--from=".length());
                    } else if (!w.startsWith("--")) {
                        words.add(expand(w, args(stage)));
                    }
                }
                out.add(
                        new Copy(
                                from,
                                words.subList(0, words.size() - 1),
                                words.get(words.size() - 1)));
            }
        }
        return out;
    }

    /** RUN commands of a stage, ARGs expanded. */
    List<String> runs(Stage stage) {
        return stage.instructions().stream()
                .filter(i -> i.keyword().equals("RUN"))
                .map(i -> expand(i.arguments(), args(stage)))
                .toList();
    }

    /** The last USER of the final stage (root when none). */
    String user() {
        String user = "root";
        for (Instruction i : finalStage().instructions()) {
            if (i.keyword().equals("USER")) {
                user = i.arguments();
            }
        }
        return user;
    }

    /**
     * Whether the final image gets {@code path} from a COPY: as a destination, or inside a copied
     * directory.
     */
    boolean finalStageCopiesTo(String path) {
        for (Copy c : copies(finalStage())) {
            String dest =
                    c.destination().endsWith("/")
                            ? c.destination().substring(0, c.destination().length() - 1)
                            : c.destination();
            if (path.equals(dest) || path.startsWith(dest + "/")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The repository file the final image has at {@code path}, when it comes from a COPY of the
     * build context.
     */
    Path contextFileFor(String path, Path contextRoot) {
        for (Copy c : copies(finalStage())) {
            if (c.fromStage() != null || c.sources().size() != 1) {
                continue;
            }
            String dest = c.destination().replaceAll("/$", "");
            if (path.equals(dest)) {
                return contextRoot.resolve(c.sources().get(0));
            }
            if (path.startsWith(dest + "/")) {
                return contextRoot
                        .resolve(c.sources().get(0))
                        .resolve(path.substring(dest.length() + 1));
            }
        }
        return null;
    }
}
