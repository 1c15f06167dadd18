-- Multi-class classification on iris, with several algorithms, a hyperparameter search and every deploy strategy.
SELECT * FROM pgml.load_dataset('iris');
SELECT * FROM pgml.train('Iris Flower Types', 'classification', 'pgml.iris', 'target', 'xgboost');
SELECT * FROM pgml.train('Iris Flower Types', algorithm => 'svm');
SELECT * FROM pgml.train('Iris Flower Types', algorithm => 'random_forest', search => 'grid',
                         search_params => '{"n_estimators": [10, 30], "max_depth": [3, 6]}');
SELECT * FROM pgml.train('Iris Flower Types', algorithm => 'linear', test_sampling => 'random', test_size => 0.3);
SELECT * FROM pgml.deploy('Iris Flower Types', 'most_recent');
SELECT * FROM pgml.deploy('Iris Flower Types', 'rollback');
SELECT * FROM pgml.deploy('Iris Flower Types', 'best_score', 'xgboost');
SELECT name, task, algorithm FROM pgml.trained_models WHERE name = 'Iris Flower Types' ORDER BY id;
SELECT target, pgml.predict('Iris Flower Types', ARRAY[sepal_length, sepal_width, petal_length, petal_width]) AS prediction,
       pgml.predict_proba('Iris Flower Types', ARRAY[sepal_length, sepal_width, petal_length, petal_width]) AS probabilities
FROM pgml.iris ORDER BY random() LIMIT 5;
CREATE TEMP TABLE iris_scored AS
SELECT target, pgml.predict('Iris Flower Types', ARRAY[sepal_length, sepal_width, petal_length, petal_width]) AS p FROM pgml.iris;
SELECT pgml.sklearn_classification_metrics(array_agg(target::real), array_agg(p), 3) FROM iris_scored;
