"""Taxi features, as in TFX's "TFX Keras Component" tutorial (taxi_constants.py)."""
NUMERICAL_FEATURES = ["trip_miles", "fare", "trip_seconds"]
BUCKET_FEATURES = ["pickup_latitude", "pickup_longitude", "dropoff_latitude", "dropoff_longitude"]
FEATURE_BUCKET_COUNT = 10
CATEGORICAL_NUMERICAL_FEATURES = ["trip_start_hour", "trip_start_day", "trip_start_month",
                                  "pickup_census_tract", "dropoff_census_tract",
                                  "pickup_community_area", "dropoff_community_area"]
CATEGORICAL_STRING_FEATURES = ["payment_type", "company"]
VOCAB_SIZE = 1000
OOV_SIZE = 10
LABEL_KEY = "tips"
FARE_KEY = "fare"


def t_name(key):
    return key + "_xf"
