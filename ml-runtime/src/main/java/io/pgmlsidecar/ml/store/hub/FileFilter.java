package io.pgmlsidecar.ml.store.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Selects repository files by glob patterns, as {@code huggingface_hub}'s allow/ignore patterns do
 * ({@code fnmatch}: {@code *} matches any characters including {@code /}, {@code ?} one character,
 * {@code [abc]} a set; a pattern ending in {@code /} means everything below that folder). A file is
 * selected when it matches an include pattern and no exclude pattern.
 */
public final class FileFilter {
    /**
     * What a model needs to run here: JSON configs, tokenizer files, and ONNX graphs with their
     * external data. Not PyTorch/TensorFlow/Flax/safetensors weights.
     */
    public static final List<String> DEFAULT_INCLUDE = List.of(
            "*.json", "*.model", "vocab.*", "merges.txt",
            "*.onnx", "*.onnx_data", "*.onnx.data", "onnx/*");

    private final List<String> include;
    private final List<String> exclude;
    private final List<Pattern> includeRx;
    private final List<Pattern> excludeRx;

    public FileFilter(List<String> include, List<String> exclude) {
        this.include = List.copyOf(include);
        this.exclude = List.copyOf(exclude);
        this.includeRx = include.stream().map(FileFilter::compile).toList();
        this.excludeRx = exclude.stream().map(FileFilter::compile).toList();
    }

    /** The defaults, plus {@code extraInclude}, minus {@code exclude}. */
    public static FileFilter defaults(List<String> extraInclude, List<String> exclude) {
        List<String> inc = new ArrayList<>(DEFAULT_INCLUDE);
        inc.addAll(extraInclude);
        return new FileFilter(inc, exclude);
    }

    public static FileFilter defaults() {
        return defaults(List.of(), List.of());
    }

    public List<String> include() {
        return include;
    }

    public List<String> exclude() {
        return exclude;
    }

    public boolean accepts(String path) {
        return includeRx.stream().anyMatch(p -> p.matcher(path).matches())
                && excludeRx.stream().noneMatch(p -> p.matcher(path).matches());
    }

    static Pattern compile(String glob) {
        String g = glob.endsWith("/") ? glob + "*" : glob;
        StringBuilder rx = new StringBuilder();
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            switch (c) {
                case '*' -> rx.append(".*");
                case '?' -> rx.append('.');
                case '[' -> {
                    int close = g.indexOf(']', i + 2);
                    if (close < 0) {
                        rx.append("\\[");
                    } else {
                        String set = g.substring(i + 1, close);
                        rx.append('[');
                        if (set.startsWith("!")) {
                            rx.append('^');
                            set = set.substring(1);
                        }
                        for (char s : set.toCharArray()) {
                            if (s == '\\' || s == '[' || s == ']' || s == '^' || s == '&') rx.append('\\');
                            rx.append(s);
                        }
                        rx.append(']');
                        i = close;
                    }
                }
                default -> rx.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(rx.toString(), Pattern.DOTALL);
    }

    @Override
    public String toString() {
        return "include " + include + (exclude.isEmpty() ? "" : ", exclude " + exclude);
    }
}
