export { renderHtmlReport } from './page.js';
export { loadValidation, validateInline } from './validation.js';
export { checkWritable, writePage } from './write.js';
