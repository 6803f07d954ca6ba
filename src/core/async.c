/* placeholder: being written */
extern int qm__placeholder_async;
