package io.pgmlsidecar.ml.onnx;

import java.util.Locale;

/**
 * Where a session runs: {@code cpu}, {@code cuda} / {@code cuda:N} (CUDA execution provider, falls back
 * to CPU with a warning when unavailable), or {@code auto} (CUDA when available, silently CPU otherwise).
 */
public record Device(Kind kind, int index) {
    public enum Kind { CPU, CUDA, AUTO }

    public static final Device CPU = new Device(Kind.CPU, 0);

    public static Device parse(String s) {
        String d = s == null ? "cpu" : s.trim().toLowerCase(Locale.ROOT);
        if (d.isEmpty() || d.equals("cpu")) return CPU;
        if (d.equals("auto")) return new Device(Kind.AUTO, 0);
        if (d.equals("cuda") || d.equals("gpu")) return new Device(Kind.CUDA, 0);
        if (d.startsWith("cuda:")) {
            try {
                return new Device(Kind.CUDA, Integer.parseInt(d.substring(5)));
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new IllegalArgumentException("unknown device '" + s + "' (expected cpu, cuda, cuda:N or auto)");
    }

    @Override
    public String toString() {
        return switch (kind) {
            case CPU -> "cpu";
            case AUTO -> "auto";
            case CUDA -> "cuda:" + index;
        };
    }
}
