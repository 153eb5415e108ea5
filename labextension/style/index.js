import './shared.css';
import './base.css';
import './gallery.css';
import './s3.css';
import './training.css';
import './tuning.css';
import './endpoints.css';
import './kernels.css';
