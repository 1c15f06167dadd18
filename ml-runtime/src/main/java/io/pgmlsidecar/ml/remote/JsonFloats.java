package io.pgmlsidecar.ml.remote;

import com.fasterxml.jackson.databind.JsonNode;

/** Numbers read out of JSON replies. */
final class JsonFloats {
    private JsonFloats() {}

    /** The numbers of a flat JSON array, or null if it is not one. */
    static float[] of(JsonNode array) {
        if (array == null || !array.isArray()) return null;
        float[] v = new float[array.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode x = array.get(i);
            if (!x.isNumber()) return null;
            v[i] = x.floatValue();
        }
        return v;
    }

    /** The numbers of a JSON array nested to any depth, row-major; null if something else is in it. */
    static float[] flatten(JsonNode array) {
        if (array == null || !array.isArray()) return null;
        int[] count = {0};
        if (!count(array, count)) return null;
        float[] v = new float[count[0]];
        fill(array, v, 0);
        return v;
    }

    private static boolean count(JsonNode node, int[] count) {
        for (JsonNode x : node) {
            if (x.isArray()) {
                if (!count(x, count)) return false;
            } else if (x.isNumber()) {
                count[0]++;
            } else {
                return false;
            }
        }
        return true;
    }

    private static int fill(JsonNode node, float[] v, int at) {
        for (JsonNode x : node) at = x.isArray() ? fill(x, v, at) : set(v, at, x.floatValue());
        return at;
    }

    private static int set(float[] v, int at, float x) {
        v[at] = x;
        return at + 1;
    }
}
