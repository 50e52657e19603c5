/**
 * TFDV's binary statistics file: StatisticsGen writes `FeatureStats.pb` (a serialized
 * DatasetFeatureStatisticsList, tensorflow_metadata/proto/v0/statistics.proto) beside our
 * `FeatureStats.json`, so `tfdv.load_stats_binary` and TFX tools read our statistics as they read
 * TFX's own. Encoded by protobufjs from a descriptor of the fields we produce: field numbers and
 * wire types are statistics.proto's (checked against TFDV's own descriptor in tests/parity).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import type { DatasetFeatureStatisticsList } from './types';

/** TFX's file name for the binary statistics in each Split-<name> folder. */
export const STATS_BINARY_FILE_NAME = 'FeatureStats.pb';

const commonStatsFields = {
  numNonMissing: { type: 'uint64', id: 1 },
  numMissing: { type: 'uint64', id: 2 },
  minNumValues: { type: 'uint64', id: 3 },
  maxNumValues: { type: 'uint64', id: 4 },
  avgNumValues: { type: 'float', id: 5 },
  numValuesHistogram: { type: 'Histogram', id: 6 },
  totNumValues: { type: 'uint64', id: 8 },
};

/** statistics.proto, the subset tfx-ts writes (package tensorflow.metadata.v0). */
const DESCRIPTOR = {
  nested: {
    Path: { fields: { step: { rule: 'repeated', type: 'string', id: 1 } } },
    DatasetFeatureStatisticsList: { fields: { datasets: { rule: 'repeated', type: 'DatasetFeatureStatistics', id: 1 } } },
    DatasetFeatureStatistics: {
      fields: {
        name: { type: 'string', id: 1 },
        numExamples: { type: 'uint64', id: 2 },
        features: { rule: 'repeated', type: 'FeatureNameStatistics', id: 3 },
      },
    },
    FeatureNameStatistics: {
      oneofs: { fieldId: { oneof: ['name', 'path'] }, stats: { oneof: ['numStats', 'stringStats', 'bytesStats', 'structStats'] } },
      fields: {
        name: { type: 'string', id: 1 },
        type: { type: 'FeatureType', id: 2 },
        numStats: { type: 'NumericStatistics', id: 3 },
        stringStats: { type: 'StringStatistics', id: 4 },
        bytesStats: { type: 'BytesStatistics', id: 5 },
        customStats: { rule: 'repeated', type: 'CustomStatistic', id: 6 },
        structStats: { type: 'StructStatistics', id: 7 },
        path: { type: 'Path', id: 8 },
      },
    },
    FeatureType: { values: { INT: 0, FLOAT: 1, STRING: 2, BYTES: 3, STRUCT: 4 } },
    CustomStatistic: {
      fields: {
        name: { type: 'string', id: 1 },
        num: { type: 'double', id: 2 },
        str: { type: 'string', id: 3 },
        histogram: { type: 'Histogram', id: 4 },
        rankHistogram: { type: 'RankHistogram', id: 5 },
      },
    },
    NumericStatistics: {
      fields: {
        commonStats: { type: 'CommonStatistics', id: 1 },
        mean: { type: 'double', id: 2 },
        stdDev: { type: 'double', id: 3 },
        numZeros: { type: 'uint64', id: 4 },
        min: { type: 'double', id: 5 },
        median: { type: 'double', id: 6 },
        max: { type: 'double', id: 7 },
        histograms: { rule: 'repeated', type: 'Histogram', id: 8 },
      },
    },
    StringStatistics: {
      fields: {
        commonStats: { type: 'CommonStatistics', id: 1 },
        unique: { type: 'uint64', id: 2 },
        topValues: { rule: 'repeated', type: 'FreqAndValue', id: 3 },
        avgLength: { type: 'float', id: 4 },
        rankHistogram: { type: 'RankHistogram', id: 5 },
        invalidUtf8Count: { type: 'uint64', id: 8 },
      },
    },
    FreqAndValue: { fields: { value: { type: 'string', id: 2 }, frequency: { type: 'double', id: 3 } } },
    BytesStatistics: {
      fields: {
        commonStats: { type: 'CommonStatistics', id: 1 },
        unique: { type: 'uint64', id: 2 },
        avgNumBytes: { type: 'float', id: 3 },
        minNumBytes: { type: 'float', id: 4 },
        maxNumBytes: { type: 'float', id: 5 },
      },
    },
    StructStatistics: { fields: { commonStats: { type: 'CommonStatistics', id: 1 } } },
    CommonStatistics: { fields: commonStatsFields },
    Histogram: {
      fields: {
        numNan: { type: 'uint64', id: 1 },
        numUndefined: { type: 'uint64', id: 2 },
        buckets: { rule: 'repeated', type: 'HistogramBucket', id: 3 },
        type: { type: 'HistogramType', id: 4 },
        name: { type: 'string', id: 5 },
      },
    },
    HistogramType: { values: { STANDARD: 0, QUANTILES: 1 } },
    HistogramBucket: { fields: { lowValue: { type: 'double', id: 1 }, highValue: { type: 'double', id: 2 }, sampleCount: { type: 'double', id: 4 } } },
    RankHistogram: { fields: { buckets: { rule: 'repeated', type: 'RankHistogramBucket', id: 1 }, name: { type: 'string', id: 2 } } },
    RankHistogramBucket: {
      fields: {
        lowRank: { type: 'uint64', id: 1 },
        highRank: { type: 'uint64', id: 2 },
        label: { type: 'string', id: 4 },
        sampleCount: { type: 'double', id: 5 },
      },
    },
  },
};

let listType: protobuf.Type | undefined;

function statisticsListType(): protobuf.Type {
  listType ??= protobuf.Root.fromJSON(DESCRIPTOR).lookupType('DatasetFeatureStatisticsList');
  return listType;
}

/** The statistics as TFDV's binary DatasetFeatureStatisticsList. */
export function encodeStatisticsBinary(statistics: DatasetFeatureStatisticsList): Uint8Array {
  const type = statisticsListType();
  // A feature carries exactly one of name/path (a oneof): we write path, as TFDV does.
  const message = type.fromObject({
    datasets: statistics.datasets.map((d) => ({ ...d, features: d.features.map(({ path: p, ...rest }) => ({ ...rest, path: p })) })),
  });
  return type.encode(message).finish();
}

/** Reads a binary DatasetFeatureStatisticsList (ours, or TFX StatisticsGen's) into the JSON shape. */
export function decodeStatisticsBinary(bytes: Uint8Array): DatasetFeatureStatisticsList {
  const type = statisticsListType();
  return type.toObject(type.decode(bytes), { longs: Number, enums: String, defaults: true, oneofs: false }) as DatasetFeatureStatisticsList;
}

export function writeStatisticsBinary(statistics: DatasetFeatureStatisticsList, file: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, encodeStatisticsBinary(statistics));
}
