/**
 * Fine-tuning for {@code pgml.tune} (text-classification, text-pair-classification) on CPU with ONNX
 * Runtime, which runs graphs but cannot train them.
 *
 * <p>Design: the pretrained encoder stays frozen ({@link io.pgmlsidecar.ml.tune.FrozenEncoder}); its
 * pooled sentence vectors, computed once with the model's own pooling and normalization, train a linear
 * head ({@link io.pgmlsidecar.ml.tune.ClassificationHead}, softmax regression) the way HF Trainer
 * would: AdamW (betas 0.9/0.999, eps 1e-8, decoupled weight decay not applied to the bias), linear
 * decay to 0 after optional warmup, gradient clipping at max_grad_norm 1.0, mean cross-entropy over
 * shuffled mini-batches, head initialized N(0, 0.02) like a new HF classifier layer. Labels are the
 * sorted distinct class values. {@link io.pgmlsidecar.ml.tune.OnnxClassifierExport} appends pooling,
 * normalization and head to the encoder graph (one {@code model.onnx} with output {@code logits}) and
 * writes a Hugging Face directory, so the standard text-classification pipeline serves the result.
 *
 * <p>Entry point: {@link io.pgmlsidecar.ml.tune.TextClassificationTuning#tune}.
 *
 * <p>Consequence to know: only the head learns, so HF's usual full fine-tuning learning rates (2e-5)
 * move it far too little; rates around 1e-3 to 1e-2 suit a head.
 */
package io.pgmlsidecar.ml.tune;
