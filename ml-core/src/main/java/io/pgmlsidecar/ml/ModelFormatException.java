package io.pgmlsidecar.ml;

/**
 * The model was found but cannot run here, e.g. a Hugging Face directory without an ONNX graph or
 * without tokenizer.json, or an ONNX graph whose inputs or outputs are not those of a text encoder.
 */
public class ModelFormatException extends MlException {
    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The standard advice for a model that has no ONNX export. */
    public static String exportHint(String modelName, String targetDir) {
        return "Export it to ONNX with Hugging Face Optimum (pip install optimum[exporters]): "
                + "optimum-cli export onnx --model " + modelName + " " + targetDir
                + "  (this writes model.onnx, config.json and tokenizer.json in that directory)";
    }
}
