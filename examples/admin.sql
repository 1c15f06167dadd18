-- Introspection, housekeeping and settings.
SELECT pgml.version();
SELECT pgml.xgboost_version(), pgml.python_version();
SELECT * FROM pgml.python_pip_freeze();
SELECT pgml.validate_python_dependencies(), pgml.validate_shared_library();
SELECT pgml.clear_gpu_cache();
SET pgml.huggingface_whitelist = 'sentence-transformers/all-MiniLM-L6-v2';
SHOW pgml.huggingface_whitelist;
SELECT pgml.sklearn_f1_score(ARRAY[1, 0, 1]::real[], ARRAY[1, 1, 1]::real[]), pgml.sklearn_r2_score(ARRAY[1, 2, 3]::real[], ARRAY[1, 2, 4]::real[]);
