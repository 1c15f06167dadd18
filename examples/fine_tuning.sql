-- Fine tuning (the seed's text-classification flow): tune a classifier on labelled reviews, then
-- predict, predict_proba and transform with the tuned project. The base encoder ships with the
-- sidecar, so this runs offline.
DROP TABLE IF EXISTS review_examples CASCADE;
CREATE TABLE review_examples (id serial, text text, class text);
INSERT INTO review_examples (text, class)
SELECT format(t.template, p.product, v.verdict), v.class
FROM (VALUES ('The %s %s.'), ('My new %s %s!'), ('Honestly, this %s %s.')) AS t(template),
     (VALUES ('blender'), ('laptop bag'), ('desk lamp'), ('backpack'), ('toaster'), ('jacket')) AS p(product),
     (VALUES ('works perfectly and I love it', 'positive'), ('exceeded my expectations', 'positive'),
             ('is wonderful, great quality', 'positive'), ('is fantastic, would buy again', 'positive'),
             ('broke after two days', 'negative'), ('is terrible, a waste of money', 'negative'),
             ('stopped working within a week', 'negative'), ('was a huge disappointment', 'negative')) AS v(verdict, class)
ORDER BY md5(t.template || p.product || v.verdict);

SELECT * FROM pgml.tune(
    'Review Sentiment',
    task => 'text-classification',
    relation_name => 'review_examples',
    model_name => 'sentence-transformers/all-MiniLM-L6-v2',
    test_size => 0.2,
    test_sampling => 'random',
    hyperparams => '{
        "training_args": {"num_train_epochs": 5, "per_device_train_batch_size": 16, "seed": 42},
        "dataset_args": {"text_column": "text", "class_column": "class"}
    }'
);

SELECT metrics FROM pgml.models WHERE id = (SELECT id FROM pgml.deployed_models WHERE name = 'Review Sentiment');
SELECT count(*) AS log_rows FROM pgml.logs WHERE project_id = (SELECT id FROM pgml.projects WHERE name = 'Review Sentiment');

-- classes are sorted: negative = 0, positive = 1
SELECT pgml.predict('Review Sentiment', 'The coffee maker is fantastic, would buy again.') AS prediction;
SELECT pgml.predict_proba('Review Sentiment', 'The kettle broke after two days.') AS probabilities;
SELECT pgml.transform('{"task": "text-classification", "model": "Review Sentiment"}'::jsonb,
                      inputs => ARRAY['My new headphones exceeded my expectations!', 'The mug was a huge disappointment.']) AS labels;
