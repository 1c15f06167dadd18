package io.pgmlsidecar.ml.tabular.algorithms;

import com.microsoft.ml.lightgbm.SWIGTYPE_p_double;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_int;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_long_long;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_p_void;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_void;
import com.microsoft.ml.lightgbm.lightgbmlib;
import io.pgmlsidecar.ml.tabular.TabularException;

import java.lang.ref.Cleaner;

/**
 * A LightGBM booster loaded from model text, predicting through LightGBM's C API directly.
 * lightgbm4j's own {@code predictForMat} sizes its output buffer as 2 × rows, which a multiclass model
 * (rows × classes values) overruns — native heap corruption that crashed the JVM with 3 classes; here the
 * buffer is sized by {@code LGBM_BoosterCalcNumPredict}. The handle is freed when its owner is unreachable.
 */
final class LightgbmPredictor {
    private static final Cleaner CLEANER = Cleaner.create();
    private final SWIGTYPE_p_void handle;

    LightgbmPredictor(Object owner, String modelText) {
        SWIGTYPE_p_p_void out = lightgbmlib.new_voidpp();
        SWIGTYPE_p_int iterations = lightgbmlib.new_intp();
        try {
            check(lightgbmlib.LGBM_BoosterLoadModelFromString(modelText, iterations, out), "load the LightGBM model");
            handle = lightgbmlib.voidpp_value(out);
        } finally {
            lightgbmlib.delete_intp(iterations);
            lightgbmlib.delete_voidpp(out);
        }
        SWIGTYPE_p_void h = handle;
        CLEANER.register(owner, () -> lightgbmlib.LGBM_BoosterFree(h));
    }

    private static void check(int rc, String what) {
        if (rc != 0) {
            throw new TabularException("LightGBM could not " + what + ": " + lightgbmlib.LGBM_GetLastError());
        }
    }

    /** Normal (transformed) predictions of all iterations, row-major: rows × (1 or classes). */
    double[] predict(double[][] x, int threads) {
        int rows = x.length;
        int cols = x[0].length;
        SWIGTYPE_p_double input = lightgbmlib.new_doubleArray((long) rows * cols);
        SWIGTYPE_p_long_long length = lightgbmlib.new_int64_tp();
        SWIGTYPE_p_double output = null;
        try {
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    lightgbmlib.doubleArray_setitem(input, (long) i * cols + j, x[i][j]);
                }
            }
            check(lightgbmlib.LGBM_BoosterCalcNumPredict(handle, rows, lightgbmlib.C_API_PREDICT_NORMAL, 0, -1, length),
                    "size the predictions");
            long n = lightgbmlib.int64_tp_value(length);
            output = lightgbmlib.new_doubleArray(n);
            check(lightgbmlib.LGBM_BoosterPredictForMat(handle, lightgbmlib.double_to_voidp_ptr(input), lightgbmlib.C_API_DTYPE_FLOAT64,
                    rows, cols, 1, lightgbmlib.C_API_PREDICT_NORMAL, 0, -1, "num_threads=" + threads, length, output), "predict");
            double[] out = new double[(int) lightgbmlib.int64_tp_value(length)];
            for (int i = 0; i < out.length; i++) {
                out[i] = lightgbmlib.doubleArray_getitem(output, i);
            }
            return out;
        } finally {
            lightgbmlib.delete_doubleArray(input);
            lightgbmlib.delete_int64_tp(length);
            if (output != null) {
                lightgbmlib.delete_doubleArray(output);
            }
        }
    }
}
