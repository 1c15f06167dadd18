package io.pgmlsidecar.ml.remote;

/** The protocol an endpoint speaks; it decides the request paths and the authentication header. */
public enum EndpointKind {
    /** Azure Machine Learning online endpoint: the scoring URL takes the input JSON as is. */
    AZURE_ML,
    /** OpenAI-compatible API ({@code /v1/embeddings}, {@code /v1/chat/completions}): OpenAI, vLLM, TGI, Ollama. */
    OPENAI,
    /** Azure OpenAI: OpenAI's bodies under {@code /openai/deployments/{deployment}/…?api-version=}, {@code api-key} header. */
    AZURE_OPENAI,
    /** KServe / Triton open inference protocol v2: {@code /v2/models/{model}/infer}. */
    KSERVE_V2
}
