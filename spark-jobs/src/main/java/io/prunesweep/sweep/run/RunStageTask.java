package io.prunesweep.sweep.run;

import io.prunesweep.pipeline.StageJson;
import io.prunesweep.pipeline.StageRequest;
import io.prunesweep.pipeline.StageResult;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of one Spark task: request JSON in, result JSON out. Takes the GPU Spark assigned to the
 * task (one address of resource "gpu") as the DJL device "gpu:N", else "cpu", and runs the stage
 * through a {@link PointSupervisor}.
 */
public final class RunStageTask implements Function<String, String> {
    private static final long serialVersionUID = 1L;
    private final ChildJvm jvm;

    public RunStageTask(ChildJvm jvm) {
        this.jvm = jvm;
    }

    @Override
    public String call(String requestJson) {
        TaskContext tc = TaskContext.get();
        String gpu = gpuAddress(tc);
        StageRequest request =
                StageJson.read(requestJson, StageRequest.class)
                        .withDevice(gpu == null ? "cpu" : "gpu:" + gpu, gpu, jvm.threads());
        Logger log = LoggerFactory.getLogger(RunStageTask.class);
        Path work = Paths.get(System.getProperty("java.io.tmpdir"), "prunesweep-requests");
        StageResult result =
                new PointSupervisor(jvm, work, log::info)
                        .run(request, () -> tc != null && tc.isInterrupted());
        return StageJson.write(result);
    }

    static String gpuAddress(TaskContext tc) {
        if (tc == null) {
            return null;
        }
        ResourceInformation gpu = tc.resourcesJMap().get("gpu");
        return gpu == null || gpu.addresses().length == 0 ? null : gpu.addresses()[0];
    }
}
