/** Errors raised by the identity-resolution engine. Names and codes are stable API. */
export class ResolutionInputError extends Error {
  override readonly name = 'ResolutionInputError';
  readonly code = 'RESOLUTION_INPUT_INVALID';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class UnknownAttributeError extends Error {
  override readonly name = 'UnknownAttributeError';
  readonly code = 'RESOLUTION_UNKNOWN_ATTRIBUTE';
  constructor(
    readonly attribute: string,
    readonly kind: string,
    options?: { cause?: unknown },
  ) {
    super(`unknown attribute "${attribute}" for kind "${kind}"`, options);
  }
}
