/**
 * Capabilities that add merge tags, email actions or link purposes register them when their
 * module loads. Every process that renders or sends mail (the app, `tessera worker`, tests)
 * imports this one file, so a tag known to the template editor is also known to the worker.
 */
import './personal-links/index.js';
import './webapp/index.js';
import './forms/index.js';
import './access-codes/index.js';
import './meetings/index.js';
import './sponsors/index.js';
import './qr-codes/index.js';
import './customers/index.js';
