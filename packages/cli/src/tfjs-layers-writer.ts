// A tf.LayersModel as a tfjs layers model on disk (model.json + one weights shard), through
// tfjs's own save path (model.save with a save handler: tfjs builds the JSON and weight specs) and
// core's directory sink (temporary folder renamed into place, so nothing half-written is left).
import * as tf from '@tensorflow/tfjs';
import { dirSink } from '@savedmodel-js/core/node';

export async function writeTfjsLayersModel(model: tf.LayersModel, dir: string, overwrite: boolean): Promise<string[]> {
  const sink = await dirSink(dir, { overwrite });
  try {
    const files: string[] = [];
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      const weightsFile = 'group1-shard1of1.bin';
      const data = artifacts.weightData === undefined ? new Uint8Array(0)
        : new Uint8Array(tf.io.concatenateArrayBuffers(Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData]));
      const modelJson = {
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: 'savedmodel-js',
        modelTopology: artifacts.modelTopology,
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }],
      };
      await sink.write(weightsFile, data);
      await sink.write('model.json', new TextEncoder().encode(JSON.stringify(modelJson)));
      files.push('model.json', weightsFile);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }));
    await sink.commit();
    return files;
  } catch (e) {
    await sink.abort();
    throw e;
  }
}
