package io.pgmlsidecar.it.support;

import java.util.LinkedHashMap;
import java.util.Map;

/** One scrape of {@code /metrics} (Prometheus text format 0.0.4), read back for assertions. */
public final class PrometheusText {

    private record Sample(String name, Map<String, String> labels, double value) {}

    private final String text;
    private final java.util.List<Sample> samples = new java.util.ArrayList<>();

    public PrometheusText(String text) {
        this.text = text;
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name = brace >= 0 ? line.substring(0, brace) : line.substring(0, space);
            Map<String, String> labels = new LinkedHashMap<>();
            if (brace >= 0) {
                String body = line.substring(brace + 1, line.lastIndexOf('}'));
                // label values here never hold '",' (model and function names, SQLSTATEs)
                for (String pair : body.split("\",")) {
                    if (pair.isEmpty()) {
                        continue;
                    }
                    int eq = pair.indexOf('=');
                    String value = pair.substring(eq + 2);
                    labels.put(pair.substring(0, eq), value.endsWith("\"") ? value.substring(0, value.length() - 1) : value);
                }
            }
            samples.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
        }
    }

    /** The sum over every series of {@code name} whose labels include {@code labels} (alternating key, value). */
    public double sum(String name, String... labels) {
        double total = 0;
        for (Sample s : samples) {
            if (!s.name().equals(name)) {
                continue;
            }
            boolean match = true;
            for (int i = 0; i < labels.length; i += 2) {
                match &= labels[i + 1].equals(s.labels().get(labels[i]));
            }
            if (match) {
                total += s.value();
            }
        }
        return total;
    }

    public boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name));
    }

    @Override
    public String toString() {
        return text;
    }
}
