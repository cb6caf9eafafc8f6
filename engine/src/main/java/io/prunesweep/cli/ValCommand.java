package io.prunesweep.cli;

import io.prunesweep.InputException;
import io.prunesweep.data.DatasetConfig;
import io.prunesweep.data.YoloDataset;
import io.prunesweep.eval.BatchPredictor;
import io.prunesweep.eval.CocoPredictions;
import io.prunesweep.eval.CocoPredictionsWriter;
import io.prunesweep.eval.DetectionResult;
import io.prunesweep.eval.EnginePredictor;
import io.prunesweep.eval.NmsConfig;
import io.prunesweep.eval.ValidationReport;
import io.prunesweep.eval.ValidationRun;
import io.prunesweep.eval.ValidationSettings;
import io.prunesweep.eval.ValidationSpeed;
import io.prunesweep.eval.Validator;
import io.prunesweep.io.FileSystems;
import io.prunesweep.io.onnx.OnnxPredictor;
import io.prunesweep.model.Devices;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code prunesweep val}: mAP of a checkpoint (run through the engine, as ultralytics' validator),
 * of an ONNX export (the same validation with ONNX Runtime in place of the engine: an independent
 * check of what users deploy) or of an external tool's COCO detection JSON, on one split of a
 * dataset.
 */
@Command(
        name = "val",
        mixinStandardHelpOptions = true,
        description =
                "Evaluate weights (engine), an .onnx export (ONNX Runtime) or a COCO predictions JSON on a dataset split:"
                        + " P, R, mAP50, mAP50-95 as ultralytics.")
public final class ValCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ModelOptions modelOptions;

    @Option(
            names = "--predictions",
            paramLabel = "JSON",
            description =
                    "Evaluate this COCO detection JSON instead of weights (image_id = image file stem, category_id = class index, bbox = [x, y, w, h] in original pixels).")
    String predictions;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "YAML",
            description = "Dataset YAML (ultralytics format); any Hadoop URI.")
    String data;

    @Option(
            names = "--split",
            defaultValue = "val",
            description = "Split to evaluate: val or train (default ${DEFAULT-VALUE}).")
    String split;

    @Option(
            names = "--imgsz",
            defaultValue = "640",
            description = "Square input size (default ${DEFAULT-VALUE}).")
    int imgsz;

    @Option(
            names = "--batch",
            defaultValue = "16",
            description = "Images per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--conf",
            defaultValue = "0.001",
            description = "NMS confidence threshold (default ${DEFAULT-VALUE}).")
    float conf;

    @Option(
            names = "--iou",
            defaultValue = "0.7",
            description = "NMS IoU threshold (default ${DEFAULT-VALUE}).")
    double iou;

    @Option(
            names = "--workers",
            defaultValue = "2",
            description = "Loader threads (default ${DEFAULT-VALUE}).")
    int workers;

    @Option(
            names = "--device",
            defaultValue = "cpu",
            description = "cpu, gpu or gpu:N (default ${DEFAULT-VALUE}).")
    String device;

    @Option(
            names = "--save-json",
            paramLabel = "FILE",
            description =
                    "Also write the detections as COCO JSON (readable by --predictions); any Hadoop URI.")
    String saveJson;

    @Option(names = "--json", description = "Print the figures as JSON.")
    boolean json;

    @Override
    public Integer call() {
        boolean fromFile = predictions != null;
        if (fromFile == (modelOptions.weights() != null)) {
            throw new InputException(
                    "val: give either --weights <checkpoint, .safetensors or .onnx> or --predictions <coco.json>"
                            + (fromFile ? ", not both" : ""));
        }
        if (fromFile && (modelOptions.namesGraph() || saveJson != null)) {
            throw new InputException(
                    "val: --predictions is evaluated as it is; --model/--scale/--nc/--save-json need --weights");
        }
        if (!(conf >= 0 && conf <= 1) || !(iou >= 0 && iou <= 1)) {
            throw new InputException(
                    "val: --conf and --iou must lie in [0, 1], got " + conf + " and " + iou);
        }
        ValidationSettings settings =
                new ValidationSettings(
                        imgsz, batch, workers, NmsConfig.VALIDATION.withConf(conf).withIou(iou));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter info = json ? spec.commandLine().getErr() : out;

        DatasetConfig dc = DatasetConfig.load(data, FileSystems.conf());
        if (dc.split(split).isEmpty()) {
            throw new InputException(
                    data
                            + ": no `"
                            + split
                            + "` entry; add an image folder or list, or pick --split");
        }
        YoloDataset dataset = YoloDataset.scan(dc, split, FileSystems.conf(), workers);
        info.println(dataset.report().summary());
        info.flush();
        dataset.report().warnings().forEach(spec.commandLine().getErr()::println);
        spec.commandLine().getErr().flush();

        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("mode", fromFile ? "predictions" : "weights");
        shown.put("data", data);
        shown.put("split", split);
        ValidationReport report =
                fromFile
                        ? evaluateFile(dataset, shown)
                        : evaluateWeights(dataset, settings, shown, info);
        out.print(json ? report.toJson() + "\n" : report.toTable());
        out.flush();
        return 0;
    }

    private ValidationReport evaluateFile(YoloDataset dataset, Map<String, Object> shown) {
        shown.put("predictions", predictions);
        CocoPredictions preds = CocoPredictions.read(predictions, dataset.nc());
        long t0 = System.nanoTime();
        DetectionResult result = preds.evaluate(dataset);
        double ms = (System.nanoTime() - t0) / 1e6 / dataset.size();
        return new ValidationReport(shown, result, new ValidationSpeed(null, null, ms));
    }

    private ValidationReport evaluateWeights(
            YoloDataset dataset,
            ValidationSettings settings,
            Map<String, Object> shown,
            PrintWriter info) {
        if (OnnxPredictor.isOnnx(modelOptions.weights())) {
            return evaluateOnnx(dataset, settings, shown, info);
        }
        Devices.use(Devices.parse(device));
        modelOptions.useDataClasses(dataset.nc());
        try (YoloModel model = modelOptions.load(Devices.current(), 0)) {
            ModelGraph g = model.graph();
            if (g.nc() != dataset.nc()) {
                throw new InputException(
                        modelOptions.weights()
                                + " predicts "
                                + g.nc()
                                + " classes but "
                                + data
                                + " has "
                                + dataset.nc()
                                + "; validate on the dataset the model was trained for");
            }
            if (settings.imgsz() % g.maxStride() != 0) {
                throw new InputException(
                        "val: --imgsz "
                                + settings.imgsz()
                                + " is not a multiple of the model's largest stride "
                                + g.maxStride()
                                + "; use e.g. "
                                + Math.max(
                                        g.maxStride(),
                                        Math.round(settings.imgsz() / (float) g.maxStride())
                                                * g.maxStride()));
            }
            if (g.inputChannels() != 3) {
                throw new InputException(
                        modelOptions.weights()
                                + " takes "
                                + g.inputChannels()
                                + "-channel input; val feeds RGB images (3 channels)");
            }
            shown.put("weights", modelOptions.weights());
            shown.put("model", g.name() + g.scale());
            shown.put("batchnorm", "folded into the convs");
            try (YoloModel inference =
                    model.fused()) { // as ultralytics' val fuses, and as the exported model runs
                return validate(new EnginePredictor(inference), dataset, settings, shown, info);
            }
        }
    }

    /**
     * An ONNX export, run in ONNX Runtime instead of the engine; the rest of validation is the
     * same.
     */
    private ValidationReport evaluateOnnx(
            YoloDataset dataset,
            ValidationSettings settings,
            Map<String, Object> shown,
            PrintWriter info) {
        String weights = modelOptions.weights();
        if (modelOptions.namesGraph()) {
            throw new InputException(
                    "val: "
                            + weights
                            + " is an ONNX model, which carries its own graph; drop --model/--scale/--nc");
        }
        if (Devices.parse(device).isGpu()) {
            throw new InputException(
                    "val: an .onnx model runs in the CPU build of ONNX Runtime; use --device cpu");
        }
        try (OnnxPredictor onnx = OnnxPredictor.open(weights)) {
            long[] in = onnx.inputShape();
            if (onnx.nc() != dataset.nc()) {
                throw new InputException(
                        weights
                                + " predicts "
                                + onnx.nc()
                                + " classes (output "
                                + java.util.Arrays.toString(onnx.outputShape())
                                + ") but "
                                + data
                                + " has "
                                + dataset.nc()
                                + "; validate on the dataset the model was trained for");
            }
            if (in[1] > 0 && in[1] != 3) {
                throw new InputException(
                        weights
                                + " takes "
                                + in[1]
                                + "-channel input; val feeds RGB images (3 channels)");
            }
            if ((in[2] > 0 && in[2] != settings.imgsz())
                    || (in[3] > 0 && in[3] != settings.imgsz())) {
                String fixed = (in[2] > 0 ? in[2] : "any") + "x" + (in[3] > 0 ? in[3] : "any");
                throw new InputException(
                        "val: --imgsz "
                                + settings.imgsz()
                                + " does not match the fixed input size "
                                + fixed
                                + " of "
                                + weights
                                + "; use --imgsz "
                                + Math.max(in[2], in[3])
                                + " or export the model again at "
                                + settings.imgsz());
            }
            int stride = onnx.stride();
            if (stride > 0 && settings.imgsz() % stride != 0) {
                throw new InputException(
                        "val: --imgsz "
                                + settings.imgsz()
                                + " is not a multiple of the model's largest stride "
                                + stride
                                + "; use e.g. "
                                + Math.max(
                                        stride,
                                        Math.round(settings.imgsz() / (float) stride) * stride));
            }
            int fixedBatch = onnx.fixedBatch();
            if (fixedBatch > 0) {
                info.println(
                        "val: "
                                + weights
                                + " has a fixed batch size of "
                                + fixedBatch
                                + ": "
                                + (fixedBatch == 1
                                        ? "images run one at a time"
                                        : "batches of "
                                                + fixedBatch
                                                + ", the last one padded with blank images")
                                + (settings.batch() != fixedBatch
                                        ? " (--batch " + settings.batch() + " ignored)"
                                        : ""));
                info.flush();
                settings =
                        new ValidationSettings(
                                settings.imgsz(), fixedBatch, settings.workers(), settings.nms());
            }
            shown.put("weights", weights);
            String name = onnx.modelName();
            if (name != null) {
                shown.put("model", name);
            }
            return validate(onnx, dataset, settings, shown, info);
        }
    }

    /**
     * Runs {@code predictor} through the validator; the settings and the runtime go into {@code
     * shown}.
     */
    private ValidationReport validate(
            BatchPredictor predictor,
            YoloDataset dataset,
            ValidationSettings settings,
            Map<String, Object> shown,
            PrintWriter info) {
        shown.put("runtime", predictor.runtime());
        shown.put("imgsz", settings.imgsz());
        shown.put("batch", settings.batch());
        shown.put("conf", settings.nms().confThreshold());
        shown.put("iou", settings.nms().iouThreshold());
        shown.put("device", device);
        if (saveJson != null) {
            CocoPredictions.imagesById(dataset); // unique ids: fail before inference, not after
        }
        CocoPredictionsWriter writer = saveJson == null ? null : new CocoPredictionsWriter();
        ValidationRun run =
                Validator.run(
                        predictor,
                        dataset,
                        settings,
                        writer == null ? Validator.PredictionSink.NONE : writer);
        if (writer != null) {
            writer.write(saveJson);
            shown.put("saved_json", saveJson);
            info.println("wrote " + writer.size() + " detections to " + saveJson);
            info.flush();
        }
        return new ValidationReport(shown, run.result(), run.speed());
    }
}
