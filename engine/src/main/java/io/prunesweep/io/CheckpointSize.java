package io.prunesweep.io;

import io.prunesweep.io.SafeTensors.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Bytes the weights take on disk: as a float32 safetensors file, and that file gzipped
 * (java.util.zip, default level). Zeros from unstructured pruning leave the first unchanged and
 * shrink the second; that is the storage they save, while latency on dense kernels does not change.
 * Counted by streaming, nothing is written.
 */
public record CheckpointSize(long bytes, long gzipBytes) {

    public static CheckpointSize of(Map<String, Tensor> stateDict) {
        Counter raw = new Counter();
        Counter zipped = new Counter();
        try (GZIPOutputStream gz = new GZIPOutputStream(zipped, 1 << 16)) {
            SafeTensors.write(new Tee(raw, gz), stateDict, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new CheckpointSize(raw.n, zipped.n);
    }

    private static final class Counter extends OutputStream {
        long n;

        @Override
        public void write(int b) {
            n++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            n += len;
        }
    }

    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
