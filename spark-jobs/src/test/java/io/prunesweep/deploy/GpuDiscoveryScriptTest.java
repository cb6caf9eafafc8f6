package io.prunesweep.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/gpu/get-gpus.sh with a fake nvidia-smi on PATH: the JSON Spark reads, and the failures it
 * reports.
 */
class GpuDiscoveryScriptTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;

    private Script.Result discover(Path fakeDir, String cudaVisibleDevices) throws Exception {
        Script s = Script.of("deploy/gpu/get-gpus.sh").env("PATH", FakeNvidiaSmi.path(fakeDir));
        if (cudaVisibleDevices != null) {
            s.env("CUDA_VISIBLE_DEVICES", cudaVisibleDevices);
        }
        return s.run(dir.resolve("logs"), 30);
    }

    private static List<String> addresses(String json) throws Exception {
        JsonNode node = JSON.readTree(json);
        assertEquals("gpu", node.get("name").asText(), json);
        List<String> out = new ArrayList<>();
        node.get("addresses")
                .forEach(
                        a -> {
                            assertTrue(a.isTextual(), "addresses are strings: " + json);
                            out.add(a.asText());
                        });
        return out;
    }

    @Test
    void reportsEveryGpuInSparksResourceFormat() throws Exception {
        Script.Result r = discover(FakeNvidiaSmi.listing(dir.resolve("bin"), 4), null);
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of("0", "1", "2", "3"), addresses(r.stdout()));
        assertEquals("", r.stderr());
        // Spark's own parser of discovery-script output accepts it.
        ResourceInformation info = ResourceInformation.parseJson(r.stdout().strip());
        assertEquals("gpu", info.name());
        assertEquals(List.of("0", "1", "2", "3"), Arrays.asList(info.addresses()));
    }

    @Test
    void keepsOnlyTheGpusCudaVisibleDevicesAllowsByIndexOrUuid() throws Exception {
        Path fake = FakeNvidiaSmi.listing(dir.resolve("bin"), 4);
        Script.Result byIndex = discover(fake, "3, 1");
        assertEquals(0, byIndex.exitCode(), byIndex.toString());
        assertEquals(List.of("1", "3"), addresses(byIndex.stdout())); // nvidia-smi's order

        Script.Result mixed = discover(fake, FakeNvidiaSmi.uuid(2) + ",0");
        assertEquals(List.of("0", "2"), addresses(mixed.stdout()), mixed.toString());
    }

    @Test
    void failsWithOneClearLineWhenNoGpuIsUsable() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("no-nvidia-smi"));
        Script.Result missing = discover(empty, null);
        assertFailure(missing, "nvidia-smi not found on PATH");

        Script.Result noDriver = discover(FakeNvidiaSmi.failing(dir.resolve("broken")), null);
        assertFailure(
                noDriver,
                "nvidia-smi failed: NVIDIA-SMI has failed because it couldn't communicate");

        Script.Result noneAllowed = discover(FakeNvidiaSmi.listing(dir.resolve("bin"), 2), "5");
        assertFailure(
                noneAllowed, "none of the GPUs nvidia-smi lists is in CUDA_VISIBLE_DEVICES='5'");

        Script.Result noGpu = discover(FakeNvidiaSmi.listing(dir.resolve("zero"), 0), null);
        assertFailure(noGpu, "nvidia-smi lists no GPU");
    }

    private static void assertFailure(Script.Result r, String message) {
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals("", r.stdout(), "nothing Spark could mistake for a GPU list");
        assertEquals(1, r.stderrLines().size(), r.toString());
        assertTrue(r.stderrLines().get(0).startsWith("get-gpus.sh: " + message), r.toString());
    }
}
