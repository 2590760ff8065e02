-- schema version 4: computed descriptors, keyed by feature set, featurizer version and input hash,
-- so that repeated ranking does not recompute them.
CREATE TABLE feature_cache (
    feature_set VARCHAR NOT NULL,
    version     VARCHAR NOT NULL,     -- matkb version : datasets fingerprint (descriptors read curated data)
    item_key    VARCHAR NOT NULL,     -- sha1 of the formula text or of the structure
    features    DOUBLE[] NOT NULL,
    computed_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (feature_set, version, item_key)
);
