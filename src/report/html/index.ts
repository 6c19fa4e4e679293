export { renderHtmlReport } from './page.js';
export { checkValidationOf, loadValidation, validateInline } from './validation.js';
export { checkWritable, writePage } from './write.js';
