package io.prunesweep.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.prunesweep.deploy.Repo;
import io.prunesweep.notebooks.SampleResults.Point;
import io.prunesweep.sweep.SweepJob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Zeppelin notes in notebooks/ against a results table with known contents ({@link
 * SampleResults}, written by the real sweep): every note is valid note JSON, its "Load results"
 * paragraph registers the views from the results URI, every %spark.sql paragraph runs in Spark with
 * its forms filled in and returns the known answer, its charts name columns the query returns, and
 * every column it reads is documented in SCHEMA.md.
 */
class NotebookQueriesTest {
    static final Set<String> VIEWS = Set.of("points", "epochs");

    /** A note registers the grid views ({@link #VIEWS}) or the sensitivity scan's. */
    static final Set<String> SENSITIVITY_VIEWS = Set.of("sensitivity");

    static final Set<String> ALL_VIEWS = Set.of("points", "epochs", "sensitivity");
    static final Set<String> CHART_MODES =
            Set.of(
                    "table",
                    "scatterChart",
                    "lineChart",
                    "multiBarChart",
                    "pieChart",
                    "stackedAreaChart");
    static final Map<String, String> EDITOR_MODES =
            Map.of(
                    "spark.sql",
                    "ace/mode/sql",
                    "spark",
                    "ace/mode/scala",
                    "md",
                    "ace/mode/markdown");
    static final Pattern NOTE_TEXTBOX =
            Pattern.compile("z\\.noteTextbox\\(\"(\\w+)\",\\s*\"([^\"]*)\"\\)");
    static final Pattern READ_PARQUET =
            Pattern.compile(
                    "val (\\w+) = spark\\.read\\.parquet\\(s\"\\$resultsUri/([\\w/]+)\"\\)");
    static final Pattern REGISTER_VIEW =
            Pattern.compile("(\\w+)\\.createOrReplaceTempView\\(\"(\\w+)\"\\)");

    @TempDir static Path dir;
    static SparkSession spark;
    static SampleResults sample;
    static List<ZeppelinNote> notes = new ArrayList<>();

    /** The note whose views are registered now (a note's paragraphs run one after another). */
    static ZeppelinNote viewsOf;

    static Map<String, String> viewTables;

    @BeforeAll
    static void writeSample() throws Exception {
        sample = SampleResults.write(dir, config -> spark = SweepJob.session(config));
        SampleSensitivity.write(spark, sample.output);
        for (Path f : Repo.filesUnder("notebooks")) {
            if (f.toString().endsWith(".zpln")) {
                notes.add(ZeppelinNote.read(f));
            }
        }
        assertTrue(notes.stream().anyMatch(n -> n.fileStem().equals("prunesweep-tradeoffs")));
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    // ---- note structure

    /**
     * Every note file is named as Zeppelin names it, {@code name_ID.zpln} with ID the note's "id",
     * and no two notes share an id: the files can be copied into a Zeppelin notebook directory as
     * they are.
     */
    @Test
    void everyNoteFileIsNamedNameUnderscoreId() {
        assertFalse(notes.isEmpty(), "notes under notebooks/");
        Set<String> ids = new HashSet<>();
        for (ZeppelinNote note : notes) {
            String file = note.file().getFileName().toString();
            String id = note.root().path("id").asText("");
            Matcher m = ZeppelinNote.FILE_NAME.matcher(file);
            assertTrue(
                    m.matches(),
                    file
                            + ": Zeppelin's file name is name_ID.zpln (ID: 9 of A-Z 0-9), e.g. "
                            + file.replace(".zpln", "")
                            + "_"
                            + id
                            + ".zpln");
            assertEquals(id, m.group(2), file + ": the ID in the file name is the note's \"id\"");
            assertTrue(ids.add(id), file + ": note id " + id + " is used by another note");
        }
    }

    @Test
    void everyNoteIsValidZeppelinNoteJson() {
        for (ZeppelinNote note : notes) {
            String where = note.file().getFileName().toString();
            JsonNode root = note.root();
            assertTrue(root.path("name").asText("").length() > 0, where + ": name");
            assertTrue(
                    root.path("id").asText("").matches("[A-Z0-9]{9}"),
                    where + ": a Zeppelin note id");
            assertTrue(
                    root.path("version").asText("").matches("0\\.1[12]\\..*"),
                    where + ": Zeppelin 0.11/0.12");
            assertEquals("spark", root.path("defaultInterpreterGroup").asText(), where);
            assertTrue(
                    root.path("config").isObject() && root.path("angularObjects").isObject(),
                    where);
            assertFalse(note.paragraphs().isEmpty(), where);
            Set<String> ids = new HashSet<>();
            Set<String> titles = new HashSet<>();
            for (ZeppelinNote.Paragraph p : note.paragraphs()) {
                String at = where + " " + p;
                assertTrue(p.id() != null && ids.add(p.id()), at + ": unique id");
                assertTrue(
                        p.title() != null && titles.add(p.title()),
                        at + ": unique title (the test's key)");
                assertFalse(p.body().isBlank(), at + ": text");
                assertTrue(
                        p.config().isObject() && p.config().path("enabled").asBoolean(),
                        at + ": config");
                assertEquals(
                        EDITOR_MODES.get(p.interpreter()),
                        p.config().path("editorMode").asText(),
                        at);
                double width = p.config().path("colWidth").asDouble();
                assertTrue(width > 0 && width <= 12, at + ": colWidth");
                assertTrue(
                        p.settings().path("params").isObject()
                                && p.settings().path("forms").isObject(),
                        at);
                // The forms the text declares are the ones the paragraph settings hold, with their
                // defaults.
                // (%spark is a native-form interpreter: Zeppelin leaves ${...} in Scala alone.)
                Map<String, ZeppelinForms.Form> forms =
                        p.interpreter().equals("spark")
                                ? Map.of()
                                : ZeppelinForms.paragraphForms(p.body());
                assertEquals(
                        forms.keySet(), fieldNames(p.settings().path("forms")), at + ": forms");
                for (ZeppelinForms.Form f : forms.values()) {
                    JsonNode saved = p.settings().path("forms").path(f.name());
                    assertEquals(
                            f.defaultValue(),
                            saved.path("defaultValue").asText(),
                            at + " form " + f.name());
                    assertEquals(
                            f.type(),
                            saved.path("type").asText().toLowerCase(java.util.Locale.ROOT),
                            at + " form " + f.name());
                    assertEquals(
                            f.defaultValue(),
                            p.params().get(f.name()),
                            at + " value of " + f.name());
                }
                p.graph()
                        .ifPresent(
                                g ->
                                        assertTrue(
                                                CHART_MODES.contains(g.path("mode").asText()),
                                                at + ": chart"));
            }
            List<ZeppelinNote.Paragraph> loads =
                    note.paragraphs().stream()
                            .filter(p -> p.interpreter().equals("spark"))
                            .toList();
            assertEquals(1, loads.size(), where + ": one %spark paragraph loads the results");
            Matcher uri = NOTE_TEXTBOX.matcher(loads.get(0).body());
            assertTrue(uri.find(), where + ": the results URI is a note form (z.noteTextbox)");
            JsonNode form = root.path("noteForms").path(uri.group(1));
            assertEquals(
                    "TextBox", form.path("type").asText(), where + ": noteForms." + uri.group(1));
            assertEquals(uri.group(2), form.path("defaultValue").asText(), where);
            assertEquals(uri.group(2), note.noteParams().get(uri.group(1)), where + ": noteParams");
            assertFalse(note.sqlParagraphs().isEmpty(), where);
        }
    }

    private static Set<String> fieldNames(JsonNode object) {
        Set<String> out = new TreeSet<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /**
     * Registers the views as the note's %spark paragraph does, with its results URI set to the
     * sample: the paragraph is Scala, so its few statements are read (URI form, parquet paths, view
     * names) and replayed. Returns view name -> table directory under the results URI.
     */
    static Map<String, String> loadViews(ZeppelinNote note) {
        if (note == viewsOf) {
            return viewTables;
        }
        for (String view : ALL_VIEWS) {
            spark.catalog().dropTempView(view);
        }
        ZeppelinNote.Paragraph load =
                note.paragraphs().stream()
                        .filter(p -> p.interpreter().equals("spark"))
                        .findFirst()
                        .orElseThrow();
        Map<String, String> pathByVal = new LinkedHashMap<>();
        Matcher read = READ_PARQUET.matcher(load.body());
        while (read.find()) {
            pathByVal.put(read.group(1), read.group(2));
        }
        Map<String, String> tableByView = new LinkedHashMap<>();
        Matcher register = REGISTER_VIEW.matcher(load.body());
        while (register.find()) {
            String path = pathByVal.get(register.group(1));
            assertNotNull(
                    path,
                    note.file()
                            + ": "
                            + register.group()
                            + " registers a DataFrame not read from the URI");
            spark.read()
                    .parquet(sample.output + "/" + path)
                    .createOrReplaceTempView(register.group(2));
            tableByView.put(register.group(2), path.substring(path.lastIndexOf('/') + 1));
        }
        assertTrue(
                VIEWS.equals(tableByView.keySet())
                        || SENSITIVITY_VIEWS.equals(tableByView.keySet()),
                note.file() + ": views registered by " + load + ": " + tableByView.keySet());
        viewsOf = note;
        viewTables = tableByView;
        return tableByView;
    }

    static String sqlOf(ZeppelinNote note, ZeppelinNote.Paragraph p) {
        return ZeppelinForms.substitute(p.body(), note.noteParams(), p.params());
    }

    // ---- every %spark.sql paragraph on the sample

    @TestFactory
    Stream<DynamicTest> everySqlParagraphReturnsTheSampleAnswer() {
        Map<String, Expectation> expected = expectations();
        List<DynamicTest> tests = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ZeppelinNote note : notes) {
            for (ZeppelinNote.Paragraph p : note.sqlParagraphs()) {
                String key = note.fileStem() + "/" + p.title();
                seen.add(key);
                tests.add(
                        DynamicTest.dynamicTest(
                                key,
                                () -> {
                                    loadViews(note);
                                    Expectation e = expected.get(key);
                                    assertNotNull(
                                            e,
                                            key
                                                    + ": a new %spark.sql paragraph needs its expected answer in this test");
                                    Dataset<Row> df = spark.sql(sqlOf(note, p));
                                    List<String> columns = Arrays.asList(df.columns());
                                    assertEquals(e.columns(), columns, key + ": columns");
                                    List<Map<String, Object>> rows = rows(df);
                                    assertFalse(rows.isEmpty(), key + ": no rows on the sample");
                                    e.check().accept(rows, key);
                                    p.graph().ifPresent(g -> assertChartMatches(g, columns, key));
                                }));
            }
        }
        tests.add(
                DynamicTest.dynamicTest(
                        "no expectation without its paragraph",
                        () ->
                                assertEquals(
                                        new TreeSet<>(),
                                        new TreeSet<>(
                                                expected.keySet().stream()
                                                        .filter(k -> !seen.contains(k))
                                                        .toList()),
                                        "expectations for paragraphs that are gone")));
        return tests.stream();
    }

    /** Every column a chart names is a column of the query, at the index the chart records. */
    static void assertChartMatches(JsonNode graph, List<String> columns, String where) {
        List<JsonNode> refs = new ArrayList<>();
        for (String list : List.of("keys", "groups", "values")) {
            graph.path(list).forEach(refs::add);
        }
        graph.path("setting")
                .path("scatterChart")
                .fields()
                .forEachRemaining(f -> refs.add(f.getValue()));
        String mode = graph.path("mode").asText();
        assertTrue(
                mode.equals("table") || !refs.isEmpty(), where + ": a " + mode + " needs columns");
        for (JsonNode ref : refs) {
            String name = ref.path("name").asText();
            assertTrue(
                    columns.contains(name),
                    where + ": chart column " + name + " not in " + columns);
            assertEquals(
                    columns.indexOf(name), ref.path("index").asInt(), where + ": index of " + name);
        }
    }

    static List<Map<String, Object>> rows(Dataset<Row> df) {
        String[] names = df.columns();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : df.collectAsList()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < names.length; i++) {
                m.put(names[i], r.get(i));
            }
            out.add(m);
        }
        return out;
    }

    // ---- the columns the notes read

    @Test
    void everyColumnANoteReadsIsDocumentedInSchemaMd() throws Exception {
        Map<String, Set<String>> documented = SchemaDoc.tables(Repo.file("spark-jobs/SCHEMA.md"));
        int checked = 0;
        for (ZeppelinNote note : notes) {
            Map<String, String> tableByView = loadViews(note);
            for (ZeppelinNote.Paragraph p : note.sqlParagraphs()) {
                Map<String, Set<String>> read =
                        PlanColumns.referenced(spark.sql(sqlOf(note, p)), ALL_VIEWS);
                assertFalse(read.isEmpty(), p + " reads no column");
                for (Map.Entry<String, Set<String>> e : read.entrySet()) {
                    Set<String> table = documented.get(tableByView.get(e.getKey()));
                    assertNotNull(table, "SCHEMA.md has no table " + tableByView.get(e.getKey()));
                    Set<String> undocumented = new TreeSet<>(e.getValue());
                    undocumented.removeAll(table);
                    assertEquals(
                            Set.of(),
                            undocumented,
                            note.file().getFileName()
                                    + " "
                                    + p
                                    + " reads columns of "
                                    + e.getKey()
                                    + " that SCHEMA.md does not document");
                    checked += e.getValue().size();
                }
            }
        }
        assertTrue(checked > 50, "column references checked: " + checked);
    }

    @Test
    void schemaMdDocumentsExactlyTheColumnsTheSweepWrites() throws Exception {
        Map<String, Set<String>> documented = SchemaDoc.tables(Repo.file("spark-jobs/SCHEMA.md"));
        for (String table : List.of("points", "epochs", "sensitivity")) {
            Set<String> written =
                    new TreeSet<>(
                            Arrays.asList(
                                    spark.read()
                                            .parquet(sample.output + "/tables/" + table)
                                            .columns()));
            assertEquals(written, new TreeSet<>(documented.get(table)), "SCHEMA.md table " + table);
        }
    }

    // ---- the known answers

    record Expectation(List<String> columns, BiConsumer<List<Map<String, Object>>, String> check) {}

    static String label(Point p) {
        return p.method() + " \u03bb=" + (p.lambda() == 0 ? "0" : "0.001");
    }

    static Map<String, Map<String, Object>> byId(List<Map<String, Object>> rows, String column) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        rows.forEach(
                r -> assertNull(out.put((String) r.get(column), r), "duplicate " + r.get(column)));
        return out;
    }

    static void assertNull(Object o, String message) {
        assertEquals(null, o, message);
    }

    static double d(Object o) {
        return ((Number) o).doubleValue();
    }

    /** Every finished point exactly once, each through {@code check}. */
    static void eachOkPoint(
            List<Map<String, Object>> rows,
            String where,
            BiConsumer<Point, Map<String, Object>> check) {
        Map<String, Map<String, Object>> byId = byId(rows, "point_id");
        assertEquals(
                sample.ok().stream().map(Point::id).collect(Collectors.toSet()),
                byId.keySet(),
                where);
        for (Point p : sample.ok()) {
            check.accept(p, byId.get(p.id()));
        }
    }

    static Map<String, Expectation> expectations() {
        Map<String, Expectation> e = new LinkedHashMap<>();
        // keys: the note's file name without _ID.zpln, then the paragraph's title
        String t = "prunesweep-tradeoffs/";
        String c = "prunesweep-compute/";
        double eps = 1e-9;
        e.put(
                t + "Sweep status",
                new Expectation(
                        List.of("sweep_id", "status", "failed_stage", "points"),
                        (rows, w) ->
                                assertEquals(
                                        List.of(
                                                row(
                                                        "sweep_id",
                                                        SampleResults.SWEEP_ID,
                                                        "status",
                                                        "failed",
                                                        "failed_stage",
                                                        "prune_finetune",
                                                        "points",
                                                        2L),
                                                row(
                                                        "sweep_id",
                                                        SampleResults.SWEEP_ID,
                                                        "status",
                                                        "ok",
                                                        "failed_stage",
                                                        null,
                                                        "points",
                                                        10L)),
                                        rows,
                                        w)));
        e.put(
                t + "Dense baseline",
                new Expectation(
                        List.of(
                                "sweep_id",
                                "seed",
                                "dense_id",
                                "dense_params",
                                "dense_map50",
                                "dense_map50_95"),
                        (rows, w) -> {
                            assertEquals(1, rows.size(), w + ": one seed, one dense model");
                            Map<String, Object> r = rows.get(0);
                            assertEquals(
                                    List.of(SampleResults.SWEEP_ID, 0L, sample.denseId),
                                    List.of(r.get("sweep_id"), r.get("seed"), r.get("dense_id")),
                                    w);
                            assertEquals(
                                    SampleResults.DENSE_PARAMS, d(r.get("dense_params")), eps, w);
                            assertEquals(
                                    SampleResults.DENSE_MAP50, d(r.get("dense_map50")), eps, w);
                            assertEquals(
                                    SampleResults.DENSE_MAP50_95,
                                    d(r.get("dense_map50_95")),
                                    eps,
                                    w);
                        }));
        e.put(
                t + "mAP50-95 vs parameters",
                new Expectation(
                        List.of("params_m", "map50_95", "series", "ratio", "point_id"),
                        (rows, w) -> {
                            List<Map<String, Object>> dense =
                                    rows.stream()
                                            .filter(r -> "dense".equals(r.get("series")))
                                            .toList();
                            assertEquals(
                                    List.of(
                                            row(
                                                    "params_m",
                                                    0.1,
                                                    "map50_95",
                                                    0.5,
                                                    "series",
                                                    "dense",
                                                    "ratio",
                                                    0.0,
                                                    "point_id",
                                                    sample.denseId)),
                                    dense,
                                    w);
                            eachOkPoint(
                                    rows.stream()
                                            .filter(r -> !"dense".equals(r.get("series")))
                                            .toList(),
                                    w,
                                    (p, r) -> {
                                        assertEquals(
                                                p.params() / 1e6, d(r.get("params_m")), eps, w);
                                        assertEquals(p.map50_95(), d(r.get("map50_95")), eps, w);
                                        assertEquals(label(p), r.get("series"), w);
                                        assertEquals(p.ratio(), d(r.get("ratio")), eps, w);
                                    });
                        }));
        e.put(
                t + "mAP50-95 vs GFLOPs",
                new Expectation(
                        List.of("gflops", "map50_95", "series", "ratio", "point_id"),
                        (rows, w) ->
                                eachOkPoint(
                                        rows,
                                        w,
                                        (p, r) -> {
                                            assertEquals(p.gflops(), d(r.get("gflops")), eps, w);
                                            assertEquals(
                                                    p.map50_95(), d(r.get("map50_95")), eps, w);
                                            assertEquals(label(p), r.get("series"), w);
                                        })));
        e.put(
                t + "mAP50-95 vs FPS",
                new Expectation(
                        List.of("fps", "map50_95", "series", "ratio", "latency_p50_ms", "point_id"),
                        (rows, w) ->
                                eachOkPoint(
                                        rows,
                                        w,
                                        (p, r) -> {
                                            assertEquals(p.fps(), d(r.get("fps")), eps, w);
                                            assertEquals(
                                                    p.latencyP50(),
                                                    d(r.get("latency_p50_ms")),
                                                    eps,
                                                    w);
                                            assertEquals(
                                                    p.map50_95(), d(r.get("map50_95")), eps, w);
                                        })));
        // the sample has structured points only (no unstructured, no reconstruction): nonzero = all
        // parameters
        for (String title :
                List.of(
                        "Structured vs unstructured: mAP50-95 vs nonzero parameters",
                        "Structured vs unstructured: mAP50-95 vs FPS")) {
            e.put(
                    t + title,
                    new Expectation(
                            List.of(
                                    "nonzero_params_m",
                                    "fps",
                                    "map50_95",
                                    "series",
                                    "kind",
                                    "ratio",
                                    "point_id"),
                            (rows, w) ->
                                    eachOkPoint(
                                            rows,
                                            w,
                                            (p, r) -> {
                                                assertEquals(
                                                        p.params() / 1e6,
                                                        d(r.get("nonzero_params_m")),
                                                        eps,
                                                        w);
                                                assertEquals(p.fps(), d(r.get("fps")), eps, w);
                                                assertEquals(
                                                        p.map50_95(), d(r.get("map50_95")), eps, w);
                                                assertEquals(label(p), r.get("series"), w);
                                                assertEquals("structured", r.get("kind"), w);
                                            })));
        }
        e.put(
                t + "Pruned, reconstructed, finetuned",
                new Expectation(
                        List.of(
                                "method",
                                "lambda",
                                "ratio",
                                "reconstruct",
                                "dense_map50_95",
                                "after_prune_map50_95",
                                "after_map50_95",
                                "reconstruct_s",
                                "point_id"),
                        (rows, w) ->
                                eachOkPoint(
                                        rows,
                                        w,
                                        (p, r) -> {
                                            assertEquals(false, r.get("reconstruct"), w);
                                            assertEquals(
                                                    SampleResults.DENSE_MAP50_95,
                                                    d(r.get("dense_map50_95")),
                                                    eps,
                                                    w);
                                            assertEquals(
                                                    null,
                                                    r.get("after_prune_map50_95"),
                                                    w + ": the sample's engine did not report it");
                                            assertEquals(
                                                    p.map50_95(),
                                                    d(r.get("after_map50_95")),
                                                    eps,
                                                    w);
                                            assertEquals(null, r.get("reconstruct_s"), w);
                                        })));
        e.put(
                t + "mAP50-95 change vs pruning ratio",
                new Expectation(
                        List.of("ratio", "series", "delta_map50_95"),
                        (rows, w) -> {
                            assertEquals(
                                    sample.ok().size(),
                                    rows.size(),
                                    w); // one seed: one row per finished setting
                            for (Point p : sample.ok()) {
                                Map<String, Object> r =
                                        rows.stream()
                                                .filter(
                                                        x ->
                                                                label(p).equals(x.get("series"))
                                                                        && d(x.get("ratio"))
                                                                                == p.ratio())
                                                .findFirst()
                                                .orElseThrow();
                                assertEquals(
                                        p.map50_95() - SampleResults.DENSE_MAP50_95,
                                        d(r.get("delta_map50_95")),
                                        eps,
                                        w);
                            }
                        }));
        Set<String> front =
                Set.of(
                        sample.point(0.001, "bn", 0.6).id(),
                        sample.point(0.001, "bn", 0.4).id(),
                        sample.point(0.001, "l1", 0.4).id(),
                        sample.point(0.001, "bn", 0.2).id());
        e.put(
                t + "All points, Pareto front marked",
                new Expectation(
                        List.of("params", "map50_95", "pareto", "series", "point_id"),
                        (rows, w) -> {
                            assertEquals(
                                    front,
                                    sample.paretoFront(),
                                    "the sample's front, by hand and by brute force");
                            eachOkPoint(
                                    rows,
                                    w,
                                    (p, r) ->
                                            assertEquals(
                                                    front.contains(p.id()) ? "front" : "dominated",
                                                    r.get("pareto"),
                                                    w + " " + label(p) + " r=" + p.ratio()));
                        }));
        e.put(
                t + "Pareto front",
                new Expectation(
                        List.of(
                                "sweep_id",
                                "point_id",
                                "method",
                                "lambda",
                                "ratio",
                                "seed",
                                "after_params",
                                "after_gflops",
                                "after_map50_95",
                                "delta_map50_95"),
                        (rows, w) -> {
                            List<String> tie =
                                    Stream.of(
                                                    sample.point(0.001, "bn", 0.4),
                                                    sample.point(0.001, "l1", 0.4))
                                            .map(Point::id)
                                            .sorted()
                                            .toList();
                            assertEquals(
                                    List.of(
                                            sample.point(0.001, "bn", 0.6).id(),
                                            tie.get(0),
                                            tie.get(1),
                                            sample.point(0.001, "bn", 0.2).id()),
                                    rows.stream().map(r -> r.get("point_id")).toList(),
                                    w);
                            for (Map<String, Object> r : rows) {
                                Point p =
                                        sample.points.stream()
                                                .filter(x -> x.id().equals(r.get("point_id")))
                                                .findFirst()
                                                .orElseThrow();
                                assertEquals(
                                        p.map50_95() - 0.5, d(r.get("delta_map50_95")), eps, w);
                                assertEquals(p.params(), d(r.get("after_params")), eps, w);
                            }
                        }));
        e.put(
                t + "Smallest model within 0.005 / 0.01 / 0.02 mAP50-95 of dense",
                new Expectation(
                        List.of(
                                "tolerance",
                                "point_id",
                                "method",
                                "lambda",
                                "ratio",
                                "seed",
                                "after_params",
                                "size_vs_dense",
                                "after_map50_95",
                                "dense_map50_95"),
                        (rows, w) -> {
                            assertEquals(
                                    List.of(0.005, 0.01, 0.02),
                                    rows.stream().map(r -> d(r.get("tolerance"))).toList(),
                                    w);
                            for (Map<String, Object> r : rows) {
                                double tol = d(r.get("tolerance"));
                                Point best =
                                        sample.ok().stream()
                                                .filter(p -> p.map50_95() >= 0.5 - tol)
                                                .min(
                                                        Comparator.comparingDouble(Point::params)
                                                                .thenComparing(
                                                                        Comparator.comparingDouble(
                                                                                        Point
                                                                                                ::map50_95)
                                                                                .reversed())
                                                                .thenComparing(Point::id))
                                                .orElseThrow();
                                assertEquals(best.id(), r.get("point_id"), w + " tolerance " + tol);
                                assertEquals(
                                        best.params() / SampleResults.DENSE_PARAMS,
                                        d(r.get("size_vs_dense")),
                                        eps,
                                        w);
                            }
                            assertEquals(
                                    sample.point(0.001, "bn", 0.2).id(),
                                    rows.get(0).get("point_id"),
                                    w);
                            assertEquals(
                                    60_000.0,
                                    d(rows.get(2).get("after_params")),
                                    eps,
                                    w + ": 0.02 reaches ratio 0.4");
                        }));
        e.put(
                t + "Failed points",
                new Expectation(
                        List.of(
                                "point_id",
                                "method",
                                "lambda",
                                "ratio",
                                "seed",
                                "status",
                                "failed_stage",
                                "error",
                                "host",
                                "finished_at"),
                        (rows, w) -> {
                            assertEquals(
                                    sample.failed().stream().map(Point::id).sorted().toList(),
                                    rows.stream().map(r -> r.get("point_id")).toList(),
                                    w);
                            for (Map<String, Object> r : rows) {
                                assertEquals("failed", r.get("status"), w);
                                assertEquals("prune_finetune", r.get("failed_stage"), w);
                                assertEquals(SampleResults.FAIL_RATIO, d(r.get("ratio")), eps, w);
                                assertTrue(
                                        ((String) r.get("error"))
                                                .contains("injected failure at ratio 0.6"),
                                        w + " " + r);
                            }
                        }));
        e.put(
                t + "Training curves",
                new Expectation(
                        List.of("epoch", "run", "value"),
                        (rows, w) -> {
                            assertEquals(
                                    2 * sample.ok().size(),
                                    rows.size(),
                                    w + ": 2 finetune epochs per finished point");
                            for (Point p : sample.ok()) {
                                List<Map<String, Object>> mine =
                                        rows.stream()
                                                .filter(
                                                        r ->
                                                                ((String) r.get("run"))
                                                                        .startsWith(p.id()))
                                                .toList();
                                assertEquals(
                                        List.of(0, 1),
                                        mine.stream().map(r -> r.get("epoch")).toList(),
                                        w + " " + p.id());
                                assertEquals(p.map50_95(), d(mine.get(1).get("value")), eps, w);
                                assertEquals(
                                        p.map50_95() - 0.01, d(mine.get(0).get("value")), eps, w);
                                assertTrue(
                                        ((String) mine.get(0).get("run"))
                                                .contains(" " + p.method() + " r=" + p.ratio()),
                                        w);
                            }
                        }));

        double endToEnd =
                sample.ok().stream()
                        .mapToDouble(
                                p ->
                                        SampleResults.DENSE_WALL
                                                + (p.lambda() > 0 ? SampleResults.SPARSE_WALL : 0)
                                                + SampleResults.POINT_WALL)
                        .sum();
        double shared =
                SampleResults.DENSE_WALL
                        + SampleResults.SPARSE_WALL
                        + sample.ok().size() * SampleResults.POINT_WALL;
        e.put(
                c + "Shared plan vs every point end to end",
                new Expectation(
                        List.of("shared_seconds", "end_to_end_seconds", "saving_factor"),
                        (rows, w) -> {
                            assertEquals(1, rows.size(), w);
                            assertEquals(250.0, shared, eps);
                            assertEquals(
                                    1350.0, endToEnd,
                                    eps); // 10 x (100 + 10) + 5 sparse-using points x 50
                            assertEquals(shared, d(rows.get(0).get("shared_seconds")), eps, w);
                            assertEquals(
                                    endToEnd, d(rows.get(0).get("end_to_end_seconds")), eps, w);
                            assertEquals(5.4, d(rows.get(0).get("saving_factor")), eps, w);
                        }));
        e.put(
                c + "Stage wall time per point",
                new Expectation(
                        List.of(
                                "point",
                                "dense_seconds",
                                "sparse_seconds",
                                "prune_finetune_seconds"),
                        (rows, w) -> {
                            assertEquals(sample.ok().size(), rows.size(), w);
                            for (Point p : sample.ok()) {
                                Map<String, Object> r =
                                        rows.stream()
                                                .filter(
                                                        x ->
                                                                ((String) x.get("point"))
                                                                        .startsWith(p.id()))
                                                .findFirst()
                                                .orElseThrow();
                                assertEquals(
                                        SampleResults.DENSE_WALL,
                                        d(r.get("dense_seconds")),
                                        eps,
                                        w);
                                assertEquals(
                                        p.lambda() > 0 ? SampleResults.SPARSE_WALL : 0,
                                        d(r.get("sparse_seconds")),
                                        eps,
                                        w);
                                assertEquals(
                                        SampleResults.POINT_WALL,
                                        d(r.get("prune_finetune_seconds")),
                                        eps,
                                        w);
                            }
                        }));
        e.put(
                c + "Phase time per method",
                new Expectation(
                        List.of("method", "prune_s", "finetune_s", "eval_s"),
                        (rows, w) ->
                                assertEquals(
                                        List.of(
                                                row(
                                                        "method",
                                                        "bn",
                                                        "prune_s",
                                                        0.5,
                                                        "finetune_s",
                                                        8.0,
                                                        "eval_s",
                                                        1.5),
                                                row(
                                                        "method",
                                                        "l1",
                                                        "prune_s",
                                                        0.5,
                                                        "finetune_s",
                                                        8.0,
                                                        "eval_s",
                                                        1.5)),
                                        rows,
                                        w)));
        e.put(
                c + "Where points ran",
                new Expectation(
                        List.of("host", "device", "gpu_address", "gpu_name", "points", "seconds"),
                        (rows, w) -> {
                            Map<String, Object> sampleHost =
                                    rows.stream()
                                            .filter(r -> "sample-host".equals(r.get("host")))
                                            .findFirst()
                                            .orElseThrow();
                            assertEquals(10L, sampleHost.get("points"), w);
                            assertEquals(
                                    10 * SampleResults.POINT_WALL,
                                    d(sampleHost.get("seconds")),
                                    eps,
                                    w);
                            assertEquals(
                                    12L,
                                    rows.stream().mapToLong(r -> (Long) r.get("points")).sum(),
                                    w + ": the two failed points ran too, on this machine");
                            assertTrue(
                                    rows.stream().allMatch(r -> "cpu".equals(r.get("device"))), w);
                        }));
        String sn = "prunesweep-sensitivity/";
        e.put(
                t + "Search rounds",
                new Expectation(
                        List.of(
                                "round",
                                "reason",
                                "method",
                                "lambda",
                                "ratio",
                                "epochs_finetune",
                                "status",
                                "delta_map50_95",
                                "point_id"),
                        (rows, w) -> {
                            assertEquals(12, rows.size(), w);
                            assertTrue(
                                    rows.stream()
                                            .allMatch(
                                                    r ->
                                                            r.get("round").equals(0)
                                                                    && "grid"
                                                                            .equals(
                                                                                    r.get(
                                                                                            "reason"))),
                                    w);
                        }));
        e.put(
                sn + "Heat map: mAP50-95 change per space and ratio",
                new Expectation(
                        List.of("space", "ratio", "delta_map50_95"),
                        (rows, w) -> {
                            assertEquals(9, rows.size(), w);
                            assertEquals(
                                    row("space", "2", "ratio", 0.2, "delta_map50_95", -0.001),
                                    rows.get(0),
                                    w);
                            assertEquals(
                                    "6.cv1[0]",
                                    rows.get(8).get("space"),
                                    w + ": network order (scan batch, then space)");
                        }));
        e.put(
                sn + "Per-space curves",
                new Expectation(
                        List.of("ratio", "series", "delta_map50_95"),
                        (rows, w) -> {
                            assertEquals(9, rows.size(), w);
                            assertEquals(
                                    row("ratio", 0.6, "series", "4 bn λ=0", "delta_map50_95", -0.1),
                                    rows.get(5),
                                    w);
                        }));
        e.put(
                sn + "Parameters and GFLOPs saved per space",
                new Expectation(
                        List.of(
                                "space",
                                "layers",
                                "channels",
                                "ratio",
                                "kept",
                                "params_saved",
                                "gflops_saved",
                                "delta_map50_95"),
                        (rows, w) -> {
                            assertEquals(9, rows.size(), w);
                            assertEquals(
                                    row(
                                            "space",
                                            "4",
                                            "layers",
                                            "4,5",
                                            "channels",
                                            64,
                                            "ratio",
                                            0.4,
                                            "kept",
                                            39,
                                            "params_saved",
                                            0.4 * 64 / 1000,
                                            "gflops_saved",
                                            0.4 * 64 / 500,
                                            "delta_map50_95",
                                            -0.05),
                                    rows.get(4),
                                    w);
                        }));
        e.put(
                sn + "Per-layer plan at 0.005 / 0.01 / 0.02",
                new Expectation(
                        List.of("tolerance", "seed", "lambda", "method", "space", "layers", "plan"),
                        (rows, w) ->
                                assertEquals(
                                        List.of(
                                                "0.005 2 0.4",
                                                "0.005 4 exclude",
                                                "0.005 6.cv1[0] 0.2",
                                                "0.01 2 0.4",
                                                "0.01 4 exclude",
                                                "0.01 6.cv1[0] 0.2",
                                                "0.02 2 0.4",
                                                "0.02 4 exclude",
                                                "0.02 6.cv1[0] 0.6"),
                                        rows.stream()
                                                .map(
                                                        r ->
                                                                r.get("tolerance")
                                                                        + " "
                                                                        + r.get("space")
                                                                        + " "
                                                                        + r.get("plan"))
                                                .toList(),
                                        w)));
        return e;
    }

    static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
