export { issueLines, issuePath, type IssueLinesOptions } from './issues.js';
