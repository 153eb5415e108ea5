/**
 * The framework / image choices of the create form. The server maps a
 * SageMaker framework image to a local Python environment, `python` to its
 * own interpreter and `mlstudio/kernel:<name>` to a kernel's interpreter.
 */

/** One choice of the image select. */
export interface IImageChoice {
  /** The `AlgorithmSpecification.TrainingImage` value. */
  image: string;
  /** What the select shows. */
  label: string;
}

/** The built-in choices, first the default. */
export const FRAMEWORK_IMAGES: readonly IImageChoice[] = [
  { image: 'python', label: 'Python (the Jupyter server’s)' },
  {
    image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
    label: 'scikit-learn 1.2 (SageMaker image)'
  },
  {
    image: '763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-cpu-py310',
    label: 'PyTorch 2.1 (SageMaker image)'
  },
  {
    image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
    label: 'XGBoost 1.7 (SageMaker image)'
  }
];

/** The default image. */
export const DEFAULT_IMAGE = FRAMEWORK_IMAGES[0].image;

/** The image that runs a script with a kernel's interpreter. */
export function kernelImage(kernelName: string): string {
  return `mlstudio/kernel:${kernelName}`;
}

/**
 * The select's choices: the built-ins, Python kernels, and `current` when it
 * is none of those (e.g. a cloned job's custom image).
 */
export function imageChoices(
  kernels: readonly { name: string; displayName: string }[],
  current = ''
): IImageChoice[] {
  const choices: IImageChoice[] = [
    ...FRAMEWORK_IMAGES,
    ...kernels.map(k => ({ image: kernelImage(k.name), label: `Kernel: ${k.displayName}` }))
  ];
  if (current && !choices.some(c => c.image === current)) {
    choices.push({ image: current, label: current });
  }
  return choices;
}
