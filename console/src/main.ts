// The console's entry point (being filled in: shell, router and views follow).
const root = document.getElementById('app');
if (root) root.textContent = 'modos console';
