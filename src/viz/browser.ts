/**
 * viz for every environment: pictures of training and of the network's insides (curves, graphs,
 * filters, saliency, Grad-CAM, logos) as SVG and PNG. Writing them to files (`out`) needs Node;
 * in a browser call configurePictures first (the PNG renderer's .wasm and fonts).
 */
export { svgToPng, configurePictures, type SvgPicture, type RasterOptions, type PictureConfig } from './raster.js';
export { imageGrid, colorize, readPng, type ImageGridOptions, type PngImage, type Colormap } from './image.js';
export {
  plotHistory,
  plotSeries,
  plotConfusion,
  renderVegaLite,
  historyQuantities,
  type VegaLiteSpec,
  type ChartOptions,
  type HistoryLike,
  type SeriesInput,
  type SeriesOptions,
  type HeatmapOptions,
} from './plot.js';
export { drawGraph, graphOfModel, dotToSvg, type DrawGraphOptions, type GraphPicture } from './graph.js';
export { filterGrid, featureMaps, type FeatureMap, type FeatureMapOptions } from './filters.js';
export {
  visualizeFilter,
  FilterAscent,
  visualizeClass,
  maximizeGrid,
  type MaximizeOptions,
  type MaximizeGridOptions,
  type MaximizedFilter,
} from './maximize.js';
export { saliency, gradientTimesInput, saliencyImage, attributionImage, type Attribution } from './saliency.js';
export { gradCam, integratedGradients, type GradCamOptions, type GradCamResult, type IntegratedGradientsResult } from './attribution.js';
export { sequenceLogo, logoColumns, saliencyTrack, type LogoOptions, type LogoColumn, type SaliencyTrackOptions } from './logo.js';
export { sequentialLayers, findLayer, type Layer, type NamedLayer } from './layers.js';
export { drawBoxes, colorMasks, MASK_PALETTE } from './boxes.js';
